/* A loopback TCP proxy that cuts a connection mid-stream, for the sync fault
 * tests: cutproxy LISTEN_PORT TARGET_PORT up|down NBYTES [CUTS]
 * forwards 127.0.0.1:LISTEN_PORT to 127.0.0.1:TARGET_PORT; the first CUTS
 * connections (default 1) are reset once NBYTES have gone up (client to
 * server) or down (server to client); later ones pass through. Connections
 * are served one at a time. Prints "ready" when listening. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void reset(int fd)
{
    struct linger l = {1, 0}; /* RST, like a cable pulled or a firewall drop */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc < 5)
        return 2;
    int lport = atoi(argv[1]), tport = atoi(argv[2]);
    int up = strcmp(argv[3], "up") == 0;
    long long limit = atoll(argv[4]);
    int cuts = argc > 5 ? atoi(argv[5]) : 1;
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((unsigned short)lport);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 8) != 0) {
        perror("cutproxy");
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        int c = accept(ls, NULL, NULL);
        if (c < 0)
            continue;
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in t = a;
        t.sin_port = htons((unsigned short)tport);
        if (connect(s, (struct sockaddr *)&t, sizeof t) != 0) {
            reset(c);
            close(s);
            continue;
        }
        long long moved = 0;
        int cut = cuts > 0;
        char buf[16384];
        for (;;) {
            struct pollfd p[2] = {{c, POLLIN, 0}, {s, POLLIN, 0}};
            if (poll(p, 2, -1) < 0)
                break;
            int done = 0;
            for (int i = 0; i < 2 && !done; i++) {
                if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                ssize_t n = read(p[i].fd, buf, sizeof buf);
                if (n <= 0) {
                    done = 1;
                    break;
                }
                int dir_up = i == 0;
                if (cut && dir_up == up) {
                    if (moved + n >= limit) {
                        ssize_t part = (ssize_t)(limit - moved);
                        if (part > 0 && write(p[1 - i].fd, buf, (size_t)part) < 0)
                            done = 1;
                        fprintf(stderr, "cutproxy: cut after %lld bytes %s\n", limit, argv[3]);
                        done = 2;
                        break;
                    }
                    moved += n;
                }
                if (write(p[1 - i].fd, buf, (size_t)n) != n)
                    done = 1;
            }
            if (done) {
                if (done == 2)
                    cuts--;
                reset(c);
                reset(s);
                break;
            }
        }
    }
}
