# Read by every bash a shell test starts (CTest sets BASH_ENV to this file).
# A test reads the store with the sqlite3 CLI while unyo writes it. In WAL mode a
# reader can still meet a lock for a moment (a write's commit, a checkpoint), and
# the CLI then fails at once ("database is locked") where unyo itself waits: the
# test's reads wait too, as unyo's do, instead of failing on a loaded machine.
sqlite3() { command sqlite3 -cmd ".timeout 30000" "$@"; }
