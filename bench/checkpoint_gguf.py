"""A Hugging Face Gemma 4 checkpoint as a GGUF file that llama.cpp loads.

bench/compare-llamacpp gives llama.cpp the very weights Facet compiles: this
module reads the checkpoint's safetensors (bf16, f16 or f32) and writes them
under llama.cpp's `gemma4` names with its metadata, every matrix quantized
with the `gguf` package's own Q4_0 / Q8_0 quantizer (the code llama.cpp's
converter uses), norms and scalars as f32.

What llama.cpp expects was read from the llama.cpp that llama-cpp-python
0.3.36 vendors: `conversion/gemma.py` (Gemma4Model: metadata, the
proportional-RoPE `rope_freqs` tensor), `conversion/base.py`
(TextModel.set_gguf_parameters) and `src/models/gemma4.cpp`
(load_arch_hparams / load_arch_tensors: which tensors and keys it reads).
"""

import json
import os
import struct
import sys

import numpy as np

import gguf
from gguf import quants

QUANT_TYPES = {
    "q4_0": (gguf.GGMLQuantizationType.Q4_0, gguf.LlamaFileType.MOSTLY_Q4_0),
    "q8_0": (gguf.GGMLQuantizationType.Q8_0, gguf.LlamaFileType.MOSTLY_Q8_0),
}
DTYPES = {"BF16": np.uint16, "F16": np.float16, "F32": np.float32}
# Values per quantization step: keeps the f32 copy of a slice near 64 MiB.
CHUNK_VALUES = 16 << 20


class CheckpointError(Exception):
    pass


def text_config(checkpoint):
    """config.json's text part (`text_config` of a multimodal config)."""
    path = os.path.join(checkpoint, "config.json")
    try:
        with open(path) as f:
            config = json.load(f)
    except (OSError, ValueError) as error:
        raise CheckpointError(f"{path}: {error}")
    return config.get("text_config", config)


class Checkpoint:
    """The tensors of a safetensors checkpoint, read through memory maps."""

    def __init__(self, directory):
        self.directory = directory
        index = os.path.join(directory, "model.safetensors.index.json")
        if os.path.exists(index):
            with open(index) as f:
                files = sorted(set(json.load(f)["weight_map"].values()))
        elif os.path.exists(os.path.join(directory, "model.safetensors")):
            files = ["model.safetensors"]
        else:
            raise CheckpointError(f"{directory}: no model.safetensors or "
                                  "model.safetensors.index.json")
        self.tensors = {}
        for file in files:
            path = os.path.join(directory, file)
            with open(path, "rb") as f:
                (length,) = struct.unpack("<Q", f.read(8))
                header = json.loads(f.read(length))
            for name, entry in header.items():
                if name == "__metadata__":
                    continue
                if entry["dtype"] not in DTYPES:
                    raise CheckpointError(f"{path}: tensor '{name}' has dtype "
                                          f"{entry['dtype']}; expected BF16, F16 or F32")
                begin, end = entry["data_offsets"]
                self.tensors[self.short_name(name)] = (
                    path, entry["dtype"], tuple(entry["shape"]), 8 + length + begin, end - begin)

    @staticmethod
    def short_name(name):
        """`model.layers.3...` whatever the prefix (`model.language_model.`)."""
        for prefix in ("model.language_model.", "language_model.model.", "model."):
            if name.startswith(prefix):
                return "model." + name[len(prefix):]
        return name

    def shape(self, name):
        return self.tensors[name][2]

    def rows(self, name, start, stop):
        """Rows [start, stop) of a tensor (all of a 1-D one) as float32."""
        path, dtype, shape, offset, size = self.tensors[name]
        row = 1
        for dim in shape[1:]:
            row *= dim
        raw = np.memmap(path, dtype=DTYPES[dtype], mode="r", offset=offset,
                        shape=(size // np.dtype(DTYPES[dtype]).itemsize,))
        if len(shape) < 2:
            start, stop = 0, 1
            row = raw.size
        piece = np.asarray(raw[start * row:stop * row])
        if dtype == "BF16":
            values = (piece.astype(np.uint32) << 16).view(np.float32)
        else:
            values = piece.astype(np.float32)
        return values.reshape((stop - start,) + tuple(shape[1:]) if len(shape) > 1
                              else shape)


def gguf_name(name_map, name):
    """llama.cpp's name for checkpoint tensor `name`, or an error."""
    base = name[:-len(".weight")] if name.endswith(".weight") else name
    mapped = name_map.get_name(base)
    if mapped is None:
        raise CheckpointError(f"no llama.cpp gemma4 tensor for '{name}'")
    return mapped + ".weight"


def write_gguf(checkpoint_dir, out_path, quant, log=print):
    """Writes `out_path` (through a temporary file) from the checkpoint."""
    if quant not in QUANT_TYPES:
        raise CheckpointError(f"unknown GGUF quantization '{quant}'")
    qtype, file_type = QUANT_TYPES[quant]
    text = text_config(checkpoint_dir)
    if text.get("enable_moe_block") or text.get("num_experts"):
        raise CheckpointError("MoE checkpoints are not supported by this bench")
    ckpt = Checkpoint(checkpoint_dir)
    layers = int(text["num_hidden_layers"])
    layer_types = list(text["layer_types"])
    if len(layer_types) != layers:
        raise CheckpointError(f"{checkpoint_dir}: {len(layer_types)} layer_types "
                              f"for {layers} layers")
    # transformers makes the last layer a full-attention one whatever the
    # config says (and so does Facet's importer); a reduced-depth checkpoint
    # (make-synthetic-checkpoint --layers 4) relies on it.
    layer_types[-1] = "full_attention"
    swa = [t == "sliding_attention" for t in layer_types]
    name_map = gguf.get_tensor_name_map(gguf.MODEL_ARCH.GEMMA4, layers)

    writer = gguf.GGUFWriter(out_path + ".tmp", "gemma4")
    writer.add_name(os.path.basename(os.path.normpath(checkpoint_dir)))
    writer.add_file_type(file_type)
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    # The metadata Gemma4Model.set_gguf_parameters writes.
    head_dim = int(text.get("head_dim", 256))
    global_head_dim = int(text.get("global_head_dim") or head_dim)
    shared = int(text.get("num_kv_shared_layers") or 0)
    ff = int(text["intermediate_size"])
    writer.add_block_count(layers)
    writer.add_context_length(int(text.get("max_position_embeddings", 131072)))
    writer.add_embedding_length(int(text["hidden_size"]))
    if text.get("use_double_wide_mlp"):
        writer.add_feed_forward_length(
            [ff if i < layers - shared else 2 * ff for i in range(layers)])
    else:
        writer.add_feed_forward_length(ff)
    writer.add_head_count(int(text["num_attention_heads"]))
    kv_heads = int(text["num_key_value_heads"])
    global_kv = text.get("num_global_key_value_heads")
    if global_kv is not None and text.get("attention_k_eq_v"):
        writer.add_head_count_kv([kv_heads if s else int(global_kv) for s in swa])
    else:
        writer.add_head_count_kv(kv_heads)
    rope = text.get("rope_parameters") or {}
    writer.add_rope_freq_base(float(rope.get("full_attention", {}).get("rope_theta", 1e6)))
    writer.add_rope_freq_base_swa(float(rope.get("sliding_attention", {}).get("rope_theta", 1e4)))
    writer.add_layer_norm_rms_eps(float(text.get("rms_norm_eps", 1e-6)))
    writer.add_key_length(global_head_dim)
    writer.add_value_length(global_head_dim)
    writer.add_key_length_swa(head_dim)
    writer.add_value_length_swa(head_dim)
    # Full layers rotate with rope_freqs (below) over all their dims.
    writer.add_rope_dimension_count(global_head_dim)
    swa_factor = float(rope.get("sliding_attention", {}).get("partial_rotary_factor", 1.0))
    writer.add_rope_dimension_count_swa(int(head_dim * swa_factor))
    if text.get("final_logit_softcapping"):
        writer.add_final_logit_softcapping(float(text["final_logit_softcapping"]))
    writer.add_sliding_window(int(text["sliding_window"]))
    writer.add_sliding_window_pattern(swa)
    writer.add_shared_kv_layers(shared)
    writer.add_embedding_length_per_layer_input(int(text.get("hidden_size_per_layer_input") or 0))
    # No tokenizer: the checkpoint has none and the bench feeds token ids.
    # llama.cpp's "none" vocabulary then holds vocab_size placeholder tokens.
    writer.add_tokenizer_model("none")
    writer.add_vocab_size(int(text["vocab_size"]))

    # The tensors: every checkpoint tensor under its llama.cpp name, plus the
    # rope_freqs that gives the "proportional" RoPE of full layers (the
    # converter's generate_extra_tensors): factor 1 on the rotated pairs,
    # 1e30 (no rotation) on the rest.
    full = rope.get("full_attention", {})
    rotated = int(global_head_dim * float(full.get("partial_rotary_factor", 1.0)) / 2)
    rope_freqs = np.array([1.0] * rotated + [1e30] * (global_head_dim // 2 - rotated),
                          dtype=np.float32)
    plan = []  # (gguf name, checkpoint name or None, shape, quantized)
    for name in sorted(ckpt.tensors, key=tensor_order):
        shape = ckpt.shape(name)
        target = gguf_name(name_map, name)
        quantized = len(shape) == 2 and shape[-1] % 32 == 0
        plan.append((target, name, shape, quantized))
    # Only full layers read rope_freqs, and llama.cpp refuses a file with a
    # tensor it did not load (a reduced-depth model may have no full layer).
    if not all(swa):
        plan.append(("rope_freqs.weight", None, rope_freqs.shape, False))

    for target, _, shape, quantized in plan:
        if quantized:
            byte_shape = quants.quant_shape_to_byte_shape(shape, qtype)
            writer.add_tensor_info(target, byte_shape, np.dtype(np.uint8),
                                   int(np.prod(byte_shape)), raw_dtype=qtype)
        else:
            count = int(np.prod(shape))
            writer.add_tensor_info(target, shape, np.dtype(np.float32), 4 * count)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()

    # Tensor data, streamed slice by slice: the PLE table alone is 9.4 GB as
    # f32 on E2B. Each tensor starts at the file's alignment, as
    # GGUFWriter.write_tensor_data places it.
    out = writer.fout[0]
    total = sum(int(np.prod(s)) for _, _, s, _ in plan)
    done = 0
    for number, (target, name, shape, quantized) in enumerate(plan, 1):
        writer.write_padding(out, out.tell())
        if name is None:
            rope_freqs.tofile(out)
            continue
        rows = shape[0] if len(shape) > 1 else 1
        per_row = int(np.prod(shape[1:])) if len(shape) > 1 else int(np.prod(shape))
        step = max(1, CHUNK_VALUES // per_row)
        for start in range(0, rows, step):
            values = ckpt.rows(name, start, min(rows, start + step))
            if quantized:
                quants.quantize(values, qtype).tofile(out)
            else:
                values.astype(np.float32).tofile(out)
        done += int(np.prod(shape))
        if number % 40 == 0 or int(np.prod(shape)) > 1e8:
            log(f"  gguf {quant}: {number}/{len(plan)} tensors, "
                f"{100.0 * done / total:.0f} % of the values")
    writer.close()
    os.replace(out_path + ".tmp", out_path)


def tensor_order(name):
    """Model-level tensors first, then layers in numeric order."""
    parts = name.split(".")
    if len(parts) > 2 and parts[1] == "layers" and parts[2].isdigit():
        return (1, int(parts[2]), name)
    return (0, 0, name)


def read_gguf_rows(path, target, start, stop):
    """Rows [start, stop) of a GGUF tensor, dequantized to float32."""
    reader = gguf.GGUFReader(path)
    for tensor in reader.tensors:
        if tensor.name == target:
            data = tensor.data  # [rows, bytes per row] for quantized tensors
            return quants.dequantize(np.asarray(data[start:stop]), tensor.tensor_type)
    raise CheckpointError(f"{path}: no tensor '{target}'")


if __name__ == "__main__":
    # Stand-alone use: checkpoint_gguf.py CHECKPOINT OUT.gguf q4_0|q8_0
    if len(sys.argv) != 4 or sys.argv[3] not in QUANT_TYPES:
        sys.exit("usage: checkpoint_gguf.py CHECKPOINT OUT.gguf q4_0|q8_0")
    write_gguf(sys.argv[1], sys.argv[2], sys.argv[3])
