/*===- test_library.c - A Hexagon shared object for the loader test -------===*\
|*                                                                            *|
|* Part of Facet, an ahead-of-time compiler for Gemma 4 language models.      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/*
 * Exercises what ld.lld -shared produces from PIC code: globals reached
 * through the GOT, a table of function pointers (R_HEX_RELATIVE), calls to
 * the support layer (memcpy, expf, integer division: R_HEX_JMP_SLOT and
 * R_HEX_GLOB_DAT against undefined symbols) and a constructor run from
 * DT_INIT_ARRAY.
 */

typedef __SIZE_TYPE__ size_t;
void *memcpy(void *dest, const void *src, size_t size);
float expf(float x);
void *malloc(size_t size);
void free(void *pointer);

int counter = 41;
/* volatile: otherwise clang runs the constructor at compile time. */
static volatile int initialized;

static int twice(int x) { return 2 * x; }
static int square(int x) { return x * x; }
int (*const operations[])(int) = {twice, square};

/* Taking malloc's address makes the linker emit R_HEX_GLOB_DAT. */
void *(*const allocator)(size_t) = malloc;

__attribute__((constructor)) static void setUp(void) { initialized = 1234; }

int wasInitialized(void) { return initialized; }

int increment(void) { return ++counter; }

int applyOperation(int index, int value) { return operations[index](value); }

int divide(int a, int b) { return a / b + a % b; }

unsigned long long divide64(unsigned long long a, unsigned long long b) {
  return a / b;
}

float exponential(float x) { return expf(x); }

int copyAndSum(const int *source, int count) {
  int *copy = (int *)allocator(count * sizeof(int));
  memcpy(copy, source, count * sizeof(int));
  int sum = 0;
  for (int i = 0; i < count; ++i)
    sum += copy[i];
  free(copy);
  return sum;
}
