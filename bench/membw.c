/* membw.c - read memory bandwidth with a given number of threads.
 *
 *   membw THREADS [MIB] [REPEATS]     prints one line: "<GB/s>" (10^9 bytes)
 *
 * Decode of a language model is a stream of weight reads, so its ceiling is
 * how fast THREADS cores can read memory that is not in any cache. This
 * sums 64-bit words of a MIB-sized buffer (default 1024, far beyond any
 * last-level cache), each thread its own contiguous slice, REPEATS times
 * (default 7), and reports the best pass: the least disturbed one on a shared
 * machine, which is what a roofline should use. The sums are printed to
 * stderr so that the compiler cannot drop the reads. Built on the fly by
 * bench/compare-llamacpp with `cc -O3 -march=native -pthread`.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct slice {
  const uint64_t *words;
  size_t count;
  uint64_t sum;
  pthread_barrier_t *start;
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void *readSlice(void *arg) {
  struct slice *s = arg;
  /* Four independent sums let the loop vectorise and keep several loads in
     flight without -ffast-math. */
  uint64_t a = 0, b = 0, c = 0, d = 0;
  pthread_barrier_wait(s->start);
  size_t i = 0;
  for (; i + 4 <= s->count; i += 4) {
    a += s->words[i];
    b += s->words[i + 1];
    c += s->words[i + 2];
    d += s->words[i + 3];
  }
  for (; i < s->count; ++i)
    a += s->words[i];
  s->sum = a + b + c + d;
  pthread_barrier_wait(s->start);
  return NULL;
}

static long parse(const char *text, const char *what, long low, long high) {
  char *end = NULL;
  long value = strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || value < low || value > high) {
    fprintf(stderr, "membw: error: %s must be an integer in [%ld, %ld], got '%s'\n",
            what, low, high, text);
    exit(2);
  }
  return value;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 4 || strcmp(argv[1], "--help") == 0) {
    fputs("usage: membw THREADS [MIB (default 1024)] [REPEATS (default 7)]\n"
          "prints the best read bandwidth in GB/s over REPEATS passes\n",
          argc < 2 || argc > 4 ? stderr : stdout);
    return argc < 2 || argc > 4 ? 2 : 0;
  }
  int threads = (int)parse(argv[1], "THREADS", 1, 1024);
  size_t mib = argc > 2 ? (size_t)parse(argv[2], "MIB", 1, 1 << 20) : 1024;
  int repeats = argc > 3 ? (int)parse(argv[3], "REPEATS", 1, 1000) : 7;

  size_t bytes = mib << 20, count = bytes / sizeof(uint64_t);
  uint64_t *words = NULL;
  if (posix_memalign((void **)&words, 4096, bytes) != 0) {
    fprintf(stderr, "membw: error: cannot allocate %zu MiB\n", mib);
    return 1;
  }
  /* Touch every page with distinct values so that none is the shared zero
     page (reading that would measure a cache). */
  for (size_t i = 0; i < count; ++i)
    words[i] = i * 0x9E3779B97F4A7C15ull;

  pthread_t *ids = calloc((size_t)threads, sizeof *ids);
  struct slice *slices = calloc((size_t)threads, sizeof *slices);
  pthread_barrier_t barrier;
  if (!ids || !slices ||
      pthread_barrier_init(&barrier, NULL, (unsigned)threads + 1) != 0) {
    fprintf(stderr, "membw: error: cannot set up %d threads\n", threads);
    return 1;
  }
  double best = 0;
  uint64_t total = 0;
  for (int r = 0; r < repeats; ++r) {
    size_t per = count / (size_t)threads;
    for (int t = 0; t < threads; ++t) {
      slices[t].words = words + per * (size_t)t;
      slices[t].count = t == threads - 1 ? count - per * (size_t)t : per;
      slices[t].start = &barrier;
      if (pthread_create(&ids[t], NULL, readSlice, &slices[t]) != 0) {
        fprintf(stderr, "membw: error: cannot start thread %d\n", t);
        return 1;
      }
    }
    /* Time from the moment all threads are ready to the moment all are done,
       so that thread start-up is not counted. */
    pthread_barrier_wait(&barrier);
    double start = now();
    pthread_barrier_wait(&barrier);
    double seconds = now() - start;
    for (int t = 0; t < threads; ++t) {
      pthread_join(ids[t], NULL);
      total += slices[t].sum;
    }
    double rate = (double)bytes / seconds / 1e9;
    if (rate > best)
      best = rate;
  }
  fprintf(stderr, "membw: checksum %llu\n", (unsigned long long)total);
  printf("%.2f\n", best);
  free(words);
  free(ids);
  free(slices);
  return 0;
}
