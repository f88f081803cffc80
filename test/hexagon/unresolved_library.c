/*===- unresolved_library.c - A shared object with an unknown symbol ------===*\
|*                                                                            *|
|* Part of Facet, an ahead-of-time compiler for Gemma 4 language models.      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/*
 * Calls a function nothing defines: loading it must fail with a message
 * naming that symbol.
 */

int facet_function_nobody_defines(int x);

int callUnknown(int x) { return facet_function_nobody_defines(x) + 1; }
