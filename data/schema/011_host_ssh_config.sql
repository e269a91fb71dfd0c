-- Issue 13: the ssh_config file a host's alias is read from, when it is not
-- ~/.ssh/config: `unyo host import-ssh-config --file F` records F (a full path),
-- and connecting to the host reads F as `ssh -F F ALIAS` would (HostName, Port,
-- User, IdentityFile, ProxyJump hops...). NULL: ~/.ssh/config.
ALTER TABLE hosts ADD COLUMN ssh_config TEXT;
