/* Sends desktop notifications on the session bus as fast as one process
 * can, for tests/notify_test.cpp (run inside a container):
 *   notify_client COUNT APP SUMMARY BODY
 * Each is "SUMMARY N" (N from 1) with a "default" action; a BODY of "@big" is
 * 100 000 bytes of 'x', with actions gone bad (keys with an escape, too long,
 * repeated; labels with controls and too long) and too many of them.
 * Prints "sent N in MS ms" and, with COUNT 1, the id the server gave. */
#include <systemd/sd-bus.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int main(int argc, char** argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: notify_client COUNT APP SUMMARY BODY\n");
        return 2;
    }
    int count = atoi(argv[1]);
    const char* body = argv[4];
    char* big = NULL;
    if (strcmp(body, "@big") == 0) {
        big = malloc(100001);
        memset(big, 'x', 100000);
        big[100000] = 0;
        body = big;
    }
    char long_key[101], long_label[201];
    memset(long_key, 'k', 100);
    long_key[100] = 0;
    memset(long_label, 'L', 200);
    long_label[200] = 0;
    sd_bus* bus = NULL;
    int r = sd_bus_open_user(&bus);
    if (r < 0) {
        fprintf(stderr, "notify_client: no session bus: %s\n", strerror(-r));
        return 1;
    }
    long start = now_ms();
    int sent = 0;
    unsigned id = 0;
    for (int i = 1; i <= count; ++i) {
        char summary[512];
        snprintf(summary, sizeof summary, "%s %d", argv[3], i);
        sd_bus_message* reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        if (big)
            r = sd_bus_call_method(bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                   "org.freedesktop.Notifications", "Notify", &error, &reply, "susssasa{sv}i", argv[2],
                                   0, "", summary, body, 16, "default", "Open\033[31m", "bad\033key", "Bad", "k2",
                                   "T\007wo\342\200\256", "k2", "Again", long_key, "Long", "k3", long_label, "k4",
                                   "Four", "k5", "Five", 1, "urgency", "y", 2, -1);
        else
            r = sd_bus_call_method(bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                   "org.freedesktop.Notifications", "Notify", &error, &reply, "susssasa{sv}i", argv[2],
                                   0, "", summary, body, 2, "default", "Open", 1, "urgency", "y", 2, -1);
        if (r < 0) {
            fprintf(stderr, "notify_client: Notify %d: %s\n", i, error.message ? error.message : strerror(-r));
            sd_bus_error_free(&error);
            break;
        }
        sd_bus_message_read(reply, "u", &id);
        sd_bus_message_unref(reply);
        ++sent;
    }
    printf("sent %d in %ld ms\n", sent, now_ms() - start);
    if (count == 1) printf("id %u\n", id);
    sd_bus_unref(bus);
    free(big);
    return sent == count ? 0 : 1;
}
