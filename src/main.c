#include "cli.h"
#include "console.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv, console_main);
}
