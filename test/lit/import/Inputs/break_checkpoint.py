#!/usr/bin/env python3
"""Writes a broken copy of a Hugging Face checkpoint for importer tests.

Standard library only. Usage:
  break_checkpoint.py SRC DST MODE [ARG]
MODE:
  drop-tensor NAME       remove a tensor from the safetensors header
  reshape-tensor NAME    swap the two dimensions of a 2-D tensor
  retype-tensor NAME     relabel a tensor's dtype as I32 (same byte size)
  extra-tensor NAME      add an unexplained tensor with that name
  set-config KEY=JSON    change one field of config.json (text_config if nested)
  drop-config KEY        remove one field of config.json (text_config if nested)
  raw-config TEXT        replace config.json with TEXT
  truncate-file N        cut the (first) safetensors file to N bytes
  header-length N        overwrite the 8-byte header length with N
  overlap                make the first two tensors share their bytes
"""
import json
import shutil
import struct
import sys
from pathlib import Path


def read(path):
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8:8 + n]), data[8 + n:]


def write(path, header, body):
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + body)


def main():
    src, dst, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    arg = sys.argv[4] if len(sys.argv) > 4 else ""
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    if mode == "raw-config":
        (dst / "config.json").write_text(arg)
        return
    if mode == "drop-config":
        config = json.loads((dst / "config.json").read_text())
        del config.get("text_config", config)[arg]
        (dst / "config.json").write_text(json.dumps(config, indent=2))
        return
    if mode == "set-config":
        key, value = arg.split("=", 1)
        config = json.loads((dst / "config.json").read_text())
        target = config.get("text_config", config)
        target[key] = json.loads(value)
        (dst / "config.json").write_text(json.dumps(config, indent=2))
        return
    files = sorted(dst.glob("*.safetensors"))
    if mode == "truncate-file":
        data = files[0].read_bytes()
        files[0].write_bytes(data[: int(arg)])
        return
    if mode == "header-length":
        data = files[0].read_bytes()
        files[0].write_bytes(struct.pack("<Q", int(arg)) + data[8:])
        return
    if mode == "overlap":
        header, body = read(files[0])
        names = sorted((k for k in header if k != "__metadata__"),
                       key=lambda k: header[k]["data_offsets"][0])
        first, second = header[names[0]], header[names[1]]
        if first["dtype"] == second["dtype"] and first["shape"] == second["shape"]:
            second["data_offsets"] = list(first["data_offsets"])
        else:
            second["data_offsets"][0] -= 4
            second["data_offsets"][1] -= 4
        write(files[0], header, body)
        return
    for f in files:
        header, body = read(f)
        if mode == "extra-tensor":
            end = len(body)
            header[arg] = {"dtype": "F32", "shape": [1], "data_offsets": [end, end + 4]}
            write(f, header, body + bytes(4))
            return
        if arg not in header:
            continue
        if mode == "drop-tensor":
            del header[arg]
        elif mode == "reshape-tensor":
            header[arg]["shape"] = list(reversed(header[arg]["shape"]))
        elif mode == "retype-tensor":
            header[arg]["dtype"] = "I32"
        write(f, header, body)
        return
    sys.exit(f"break_checkpoint: tensor {arg} not found")


if __name__ == "__main__":
    main()
