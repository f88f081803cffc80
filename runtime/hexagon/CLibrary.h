//===- CLibrary.h - The C library functions of the support layer -*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// There is no libc for freestanding Hexagon code, so no <string.h> or
// <stdlib.h> declares these: CLibrary.cpp defines them (for generated kernels
// and the compiler's own memcpy/memset calls), Exports.cpp binds them into
// loaded code, and the tests call them. One declaration for all.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_HEXAGON_CLIBRARY_H
#define FACET_RUNTIME_HEXAGON_CLIBRARY_H

#include <stddef.h>

extern "C" {
void *memcpy(void *, const void *, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
size_t strlen(const char *);
int strcmp(const char *, const char *);
int atoi(const char *);
char *getenv(const char *);
void abort(void);
void *malloc(size_t);
void free(void *);
void *calloc(size_t, size_t);
void *realloc(void *, size_t);
}

#endif // FACET_RUNTIME_HEXAGON_CLIBRARY_H
