/*===- c_api_main.c - A C program on the runtime --------------------------===*\
|*                                                                            *|
|* Part of Facet, an ahead-of-time compiler for Gemma 4 language models.      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/*
 * `facet-c-api-static PACKAGE` / `facet-c-api-shared PACKAGE`: the C smoke
 * test (c_api_smoke.c) as a C program linked with the static runtime
 * library or with libfacet.so, run on the toy package.
 */

#include <stdint.h>
#include <stdio.h>

int facet_c_smoke(const char *path, const int32_t *prompt, size_t count,
                  int32_t *generated, size_t steps, char *message,
                  size_t message_size);

int main(int argc, char **argv) {
  static const int32_t prompt[] = {2, 5, 7, 1, 0, 10, 3, 3, 8, 6};
  int32_t generated[6];
  char message[512];
  size_t i;
  int line;
  if (argc != 2) {
    fprintf(stderr, "usage: %s PACKAGE\n", argv[0]);
    return 2;
  }
  line = facet_c_smoke(argv[1], prompt, sizeof(prompt) / sizeof(prompt[0]),
                       generated, 6, message, sizeof(message));
  if (line != 0) {
    fprintf(stderr, "c_api_smoke.c:%d: %s\n", line, message);
    return 1;
  }
  for (i = 0; i < 6; ++i)
    printf(i ? ",%d" : "%d", (int)generated[i]);
  printf("\n");
  return 0;
}
