"""Reads the weights of a .facet package, to compare them with a GGUF's.

Follows the format in runtime/README.md ("Package format (version 3)"): the
header, the section table, and the manifest as far as its weight table.
Quantized weights are dequantized the way Facet's kernels do it
(codegen/driver/WeightQuantization.cpp): int8 per output row with an f32
scale; int4 two per byte (the even input in the low nibble) stored as
q + 8, with one f16 (or bf16/f32) scale per group along the inputs.
A scheme ending in `-tilesR` (or `-tilesRbyD`) is stored in row tiles of
R rows with D bytes of a row together (codegen/target/RowTiles.h), which
`rows` undoes; `-tilesRbyDw` holds the same bytes as little-endian 16-bit
words (element type 7).
"""

import struct

import numpy as np

MANIFEST, WEIGHTS = 1, 3
ELEMENT = {1: np.float32, 2: np.float16, 3: np.uint16, 4: np.int32, 5: np.int8, 6: np.uint8,
           7: np.dtype("<u2")}


class PackageError(Exception):
    pass


class Reader:
    def __init__(self, data, offset=0):
        self.data, self.at = data, offset

    def u64(self):
        (value,) = struct.unpack_from("<Q", self.data, self.at)
        self.at += 8
        return value

    def text(self):
        length = self.u64()
        if length > 4096:
            raise PackageError(f"manifest string of {length} bytes")
        value = bytes(self.data[self.at:self.at + length]).decode()
        self.at += length
        return value

    def shape(self):
        rank = self.u64()
        if rank > 8:
            raise PackageError(f"manifest shape of rank {rank}")
        return [self.u64() for _ in range(rank)]


class Package:
    def __init__(self, path):
        self.path = path
        self.data = np.memmap(path, dtype=np.uint8, mode="r")
        head = bytes(self.data[:64])
        if head[:8] != b"FACETPKG":
            raise PackageError(f"{path}: not a .facet package")
        version, sections = struct.unpack_from("<II", head, 8)
        if version != 3:
            raise PackageError(f"{path}: package format {version}, this reader knows 3")
        (table,) = struct.unpack_from("<Q", head, 24)
        found = {}
        for i in range(sections):
            kind, _, offset, size = struct.unpack_from("<IIQQ", bytes(self.data[table + 24 * i:table + 24 * i + 24]))
            found[kind] = (offset, size)
        if MANIFEST not in found or WEIGHTS not in found:
            raise PackageError(f"{path}: no manifest or weights section")
        self.weights_offset = found[WEIGHTS][0]
        offset, size = found[MANIFEST]
        reader = Reader(bytes(self.data[offset:offset + size]))
        reader.text()                              # model name
        for _ in range(5):                         # vocab .. bos
            reader.u64()
        for _ in range(reader.u64()):              # eos ids
            reader.u64()
        reader.text(), reader.text()               # target name, arch
        for _ in range(reader.u64()):              # CPU features
            reader.text()
        for _ in range(reader.u64()):              # kernels
            reader.text(), reader.text(), reader.u64()
        self.weights = {}
        for _ in range(reader.u64()):
            name, weight_class, scheme = reader.text(), reader.text(), reader.text()
            element, shape = reader.u64(), reader.shape()
            offset, size = reader.u64(), reader.u64()
            self.weights[name] = {"class": weight_class, "scheme": scheme, "element": element,
                                  "shape": shape, "offset": offset, "bytes": size}

    def raw(self, name, start, stop):
        """Rows [start, stop) of stored part `name` as its element type."""
        info = self.weights[name]
        dtype = np.dtype(ELEMENT[info["element"]])
        row = int(np.prod(info["shape"][1:])) if len(info["shape"]) > 1 else int(info["shape"][0])
        begin = self.weights_offset + info["offset"] + start * row * dtype.itemsize
        end = begin + (stop - start) * row * dtype.itemsize
        return np.frombuffer(bytes(self.data[begin:end]), dtype=dtype).reshape(stop - start, row)

    def scheme(self, name):
        return self.weights[name]["scheme"]

    def rows(self, name, start, stop):
        """Rows [start, stop) of weight `name`, dequantized to float32."""
        if name not in self.weights:
            raise PackageError(f"{self.path}: no weight '{name}'")
        scheme = self.scheme(name)
        if scheme in ("f32", "f16"):
            return self.raw(name, start, stop).astype(np.float32)
        if scheme == "bf16":
            return (self.raw(name, start, stop).astype(np.uint32) << 16).view(np.float32)
        tiles, depth = 0, 1
        if "-tiles" in scheme:
            scheme, tiles = scheme.split("-tiles")
            tiles, _, depth = tiles.partition("by")
            tiles, depth = int(tiles), int(depth.removesuffix("w") or 1)
        if tiles:
            stored, scales = self.untiled(name, start, stop, tiles, depth, scheme == "int8")
        else:
            scales = self.raw(name + ".scales", start, stop)
            stored = self.raw(name, start, stop)
        if self.weights[name + ".scales"]["element"] == 3:     # bf16 scales
            scales = (scales.astype(np.uint32) << 16).view(np.float32)
        scales = scales.astype(np.float32)
        if scheme == "int8":
            return stored.astype(np.float32) * scales
        if not scheme.startswith("int4-g") or scheme.endswith("-asym"):
            raise PackageError(f"{self.path}: weight '{name}' has scheme {scheme}, "
                               "which this reader does not dequantize")
        group = int(scheme[len("int4-g"):])
        values = np.empty((stored.shape[0], stored.shape[1] * 2), dtype=np.float32)
        values[:, 0::2] = (stored & 0x0F).astype(np.float32) - 8
        values[:, 1::2] = (stored >> 4).astype(np.float32) - 8
        return values * np.repeat(scales, group, axis=1)

    def untiled(self, name, start, stop, tiles, depth, int8):
        """Rows [start, stop) of a row-tiled weight's integers (row-major,
        int4 two per byte with the even input low) and scales."""
        first, last = start // tiles, (stop + tiles - 1) // tiles
        blocks = last - first
        stored = self.raw(name, first, last)                  # [blocks, R * row bytes]
        if stored.dtype.itemsize == 2:                        # 16-bit words: the same bytes
            stored = stored.view(np.uint8)
        scales = self.raw(name + ".scales", first, last)      # [blocks, groups * R]
        row_bytes = stored.shape[1] // tiles
        # chunk c, byte j = D*jq + jd, row r at c*16R + jq*DR + r*D + jd
        chunks = stored.reshape(blocks, row_bytes // 16, 16 // depth, tiles, depth)
        chunks = chunks.transpose(0, 3, 1, 2, 4).reshape(blocks * tiles, row_bytes // 16, 16)
        if int8:
            integers = chunks.reshape(blocks * tiles, row_bytes)
        else:
            low, high = chunks & 0x0F, chunks >> 4                # inputs 32c + j, 32c + 16 + j
            nibbles = np.concatenate([low, high], axis=2).reshape(blocks * tiles, row_bytes * 2)
            integers = (nibbles[:, 0::2] | (nibbles[:, 1::2] << 4)).astype(np.uint8)
        groups = scales.shape[1] // tiles
        scales = scales.reshape(blocks, groups, tiles).transpose(0, 2, 1).reshape(blocks * tiles, groups)
        skip = start - first * tiles
        return integers[skip:skip + stop - start], scales[skip:skip + stop - start]
