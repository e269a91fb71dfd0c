#include "cli.h"
#include "console.h"
#include "ssh_view.h"

int main(int argc, char **argv)
{
    cli_ssh_fullscreen = consoles_ssh_main;
    return cli_main(argc, argv, console_main);
}
