#!/usr/bin/env python3
"""Train facet-small: a small, really trained Gemma 4 (E2B-style) checkpoint.

It is the project's bundled default model. Everything runs on the CPU, in float32,
with a fixed seed; see models/README.md ("facet-small") and facet-small/README.md.

Pipeline
  1. corpus    King James Version of the Bible (public domain), extracted from the Debian
               package bible-kjv-text with the `bible` program of package bible-kjv.
               Every 20th chapter (index % 20 == 10, ~5 %) is held out for evaluation.
  2. tokenizer BPE trained with the `tokenizers` library in the layout of Gemma's
               tokenizer.json (byte fallback, "▁" for spaces, no byte-level pre-tokenizer,
               Gemma 4's special tokens), plus tokenizer_config.json + chat_template.jinja.
  3. data      the training chapters as plain text documents, plus short chat-formatted
               conversations built from training verses (Gemma 4 turn format).
  4. model     Gemma4ForCausalLM: 10 layers, (4 sliding, 1 full) x 2 as in E2B, PLE,
               KV sharing of the last 5 layers, double-wide MLP on shared layers,
               proportional RoPE on full layers, final logit softcap 30, tied embeddings.
  5. training  AdamW, warmup + cosine, fixed number of steps, random windows.
  6. outputs   save_pretrained into models/facet-small/, README.md (model card) and a
               fixture (fixture.json + logits.f32) in the format of the tiny models.

Usage: train_small_model.py [--out DIR] [--steps N] [--threads 1] [--seed 1234]
"""

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import torch

import tokenizers
import transformers
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import AutoTokenizer, Gemma4ForCausalLM, Gemma4TextConfig, GenerationConfig

# --------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------
VOCAB = 4096
SEQ = 256                 # training window
BATCH = 16                # windows per step (4096 tokens)
NEW_TOKENS = 32           # fixture: greedy continuation length
FIXTURE_PROMPT_LEN = 16   # fixture: prompt length including <bos>
SOFTCAP = 30.0
HELDOUT_EVERY = 20        # chapter index % 20 == 10 is held out
HELDOUT_PHASE = 10

# Special tokens, in id order. Gemma 4 ids for pad/eos/bos/unk/mask are 0..4 and are kept;
# the text-side control tokens follow compactly (Gemma 4 has them at 46..52, 98..106).
SPECIALS = [
    "<pad>", "<eos>", "<bos>", "<unk>", "<mask>",
    "<|turn>", "<turn|>",
    "<|think|>", "<|channel>", "<channel|>",
    "<|tool>", "<tool|>", "<|tool_call>", "<tool_call|>", "<|tool_response>", "<tool_response|>",
    '<|"|>',
]
BYTE_TOKENS = [f"<0x{b:02X}>" for b in range(256)]

# GEMMA4.md §4.3: <bos><|turn>system\n…<turn|>\n<|turn>user\n…<turn|>\n<|turn>model\n…<turn|>\n
# assistant is rendered as model, developer as system; the generation prompt is
# "<|turn>model\n". Thinking is not supported by this model (no <|think|> handling).
CHAT_TEMPLATE = (
    "{{- bos_token -}}\n"
    "{%- if messages and messages[0]['role'] in ['system', 'developer'] -%}\n"
    "{{- '<|turn>system\\n' + messages[0]['content'] | trim + '<turn|>\\n' -}}\n"
    "{%- set loop_messages = messages[1:] -%}\n"
    "{%- else -%}\n"
    "{%- set loop_messages = messages -%}\n"
    "{%- endif -%}\n"
    "{%- for message in loop_messages -%}\n"
    "{%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}\n"
    "{{- '<|turn>' + role + '\\n' + message['content'] | trim + '<turn|>\\n' -}}\n"
    "{%- endfor -%}\n"
    "{%- if add_generation_prompt -%}\n"
    "{{- '<|turn>model\\n' -}}\n"
    "{%- endif -%}\n"
)

BOOKS = [
    "Genesis", "Exodus", "Leviticus", "Numbers", "Deuteronomy", "Joshua", "Judges", "Ruth",
    "1 Samuel", "2 Samuel", "1 Kings", "2 Kings", "1 Chronicles", "2 Chronicles", "Ezra",
    "Nehemiah", "Esther", "Job", "Psalms", "Proverbs", "Ecclesiastes", "Song of Solomon",
    "Isaiah", "Jeremiah", "Lamentations", "Ezekiel", "Daniel", "Hosea", "Joel", "Amos",
    "Obadiah", "Jonah", "Micah", "Nahum", "Habakkuk", "Zephaniah", "Haggai", "Zechariah",
    "Malachi", "Matthew", "Mark", "Luke", "John", "Acts", "Romans", "1 Corinthians",
    "2 Corinthians", "Galatians", "Ephesians", "Philippians", "Colossians",
    "1 Thessalonians", "2 Thessalonians", "1 Timothy", "2 Timothy", "Titus", "Philemon",
    "Hebrews", "James", "1 Peter", "2 Peter", "1 John", "2 John", "3 John", "Jude",
    "Revelation",
]

# Model configuration: E2B's block structure scaled down (GEMMA4.md §1.3).
MODEL_CONFIG = dict(
    vocab_size=VOCAB,
    hidden_size=128,
    intermediate_size=384,
    num_hidden_layers=10,
    num_attention_heads=4,
    num_key_value_heads=1,
    head_dim=32,
    global_head_dim=64,
    layer_types=(["sliding_attention"] * 4 + ["full_attention"]) * 2,
    sliding_window=64,
    max_position_embeddings=131072,
    hidden_size_per_layer_input=16,
    vocab_size_per_layer_input=VOCAB,
    num_kv_shared_layers=5,
    use_double_wide_mlp=True,
    attention_k_eq_v=False,
    enable_moe_block=False,
    final_logit_softcapping=SOFTCAP,
    rope_parameters={
        "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
        "full_attention": {"rope_type": "proportional", "partial_rotary_factor": 0.25,
                           "rope_theta": 1000000.0},
    },
    use_bidirectional_attention=None,
    rms_norm_eps=1e-6,
    hidden_activation="gelu_pytorch_tanh",
    tie_word_embeddings=True,
    pad_token_id=0,
    eos_token_id=1,
    bos_token_id=2,
)


def log(*a):
    print(*a, flush=True)


# --------------------------------------------------------------------------------------
# 1. Corpus
# --------------------------------------------------------------------------------------
def extract_kjv():
    """All 31,102 verses as (book, chapter, verse, text), in canonical order."""
    if not os.path.exists("/usr/lib/bible.data"):
        sys.exit("bible-kjv-text is not installed (apt-get install bible-kjv bible-kjv-text)")
    out = subprocess.run(["bible", "-f", "gen1:1-rev22:21"], check=True, capture_output=True,
                         stdin=subprocess.DEVNULL, text=True).stdout
    verses, abbrevs = [], []
    for line in out.splitlines():
        m = re.match(r"^(\S+?)(\d+):(\d+) (.*)$", line)
        if not m:
            raise RuntimeError(f"unexpected line from bible: {line!r}")
        ab, c, v, text = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4).strip()
        if not abbrevs or abbrevs[-1] != ab:
            abbrevs.append(ab)
        verses.append((BOOKS[len(abbrevs) - 1], c, v, " ".join(text.split())))
    assert len(abbrevs) == 66 and len(verses) == 31102, (len(abbrevs), len(verses))
    return verses


def chapters_of(verses):
    chapters = []
    for b, c, v, t in verses:
        if not chapters or chapters[-1][0] != (b, c):
            chapters.append(((b, c), []))
        chapters[-1][1].append((v, t))
    return chapters


def chapter_text(key, verses):
    """One plain-text document: a heading line, then one verse per line."""
    b, c = key
    return f"{b} {c}\n\n" + "\n".join(t for _, t in verses) + "\n"


# --------------------------------------------------------------------------------------
# 2. Tokenizer
# --------------------------------------------------------------------------------------
def train_tokenizer(texts):
    """BPE in Gemma's tokenizer.json layout. During training, text is split before every
    "▁" and around newlines so that no merge crosses a word boundary; the saved tokenizer
    uses GemmaTokenizer's (no-op) pre-tokenizer, which then gives identical results."""
    tok = Tokenizer(models.BPE(unk_token="<unk>", fuse_unk=True, byte_fallback=True))
    tok.normalizer = normalizers.Replace(" ", "▁")
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex("\n+"), behavior="isolated"),
        pre_tokenizers.Split("▁", behavior="merged_with_next"),
    ])
    alphabet = sorted(set("".join(texts)) | set("▁\n"))
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB,
        min_frequency=2,
        special_tokens=SPECIALS + BYTE_TOKENS,
        initial_alphabet=alphabet,
        limit_alphabet=len(alphabet) + 1,
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    assert tok.get_vocab_size() == VOCAB, tok.get_vocab_size()

    # Re-serialise in GemmaTokenizer's layout (transformers' tokenization_gemma.py).
    tok.pre_tokenizer = pre_tokenizers.Split(" ", behavior="merged_with_previous", invert=False)
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse()])
    d = json.loads(tok.to_str())
    # Byte tokens are ordinary vocabulary entries (as in Gemma), not added tokens.
    d["added_tokens"] = [a for a in d["added_tokens"] if a["content"] in SPECIALS]
    for a in d["added_tokens"]:
        a["special"] = True
    vocab = d["model"]["vocab"]
    for i, s in enumerate(SPECIALS + BYTE_TOKENS):
        assert vocab[s] == i, (s, vocab[s], i)
    for t, i in vocab.items():
        assert "▁" not in t[1:], f"token with an inner ▁: {t!r}"
    return Tokenizer.from_str(json.dumps(d, ensure_ascii=False))


def save_tokenizer(tok, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    tmp = os.path.join(out_dir, "tokenizer.json")
    tok.save(tmp)
    hf = transformers.PreTrainedTokenizerFast(
        tokenizer_file=tmp,
        bos_token="<bos>", eos_token="<eos>", unk_token="<unk>", pad_token="<pad>",
        mask_token="<mask>",
        add_bos_token=False, add_eos_token=False,   # as Gemma 4: the chat template emits <bos>
        padding_side="left",
        clean_up_tokenization_spaces=False,
        model_max_length=131072,
    )
    hf.chat_template = CHAT_TEMPLATE
    hf.save_pretrained(out_dir)
    # Name the Gemma tokenizer class (as the published checkpoints do).
    cfg_path = os.path.join(out_dir, "tokenizer_config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    cfg["tokenizer_class"] = "GemmaTokenizer"
    cfg["extra_special_tokens"] = {"sot_token": "<|turn>", "eot_token": "<turn|>"}
    with open(cfg_path, "w") as f:
        json.dump(cfg, f, indent=2, ensure_ascii=False)
        f.write("\n")
    # Re-write tokenizer.json from the tokenizers object (byte-stable, our exact layout).
    tok.save(tmp, pretty=True)
    return AutoTokenizer.from_pretrained(out_dir)


def check_tokenizer(hf, tok, samples):
    for s in samples:
        a = tok.encode(s, add_special_tokens=False).ids
        b = hf.encode(s, add_special_tokens=False)
        assert a == b, (s, a, b)
        assert hf.decode(b) == s, (s, hf.decode(b))
    msgs = [{"role": "user", "content": "Hello"}]
    text = hf.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
    assert text == "<bos><|turn>user\nHello<turn|>\n<|turn>model\n", repr(text)
    ids = hf.apply_chat_template(msgs, tokenize=True, add_generation_prompt=True)
    if isinstance(ids, dict) or hasattr(ids, "keys"):
        ids = ids["input_ids"]
    assert ids[:2] == [2, SPECIALS.index("<|turn>")], ids


# --------------------------------------------------------------------------------------
# 3. Training data
# --------------------------------------------------------------------------------------
WISDOM_ASKS = [
    "Give me a proverb.", "Tell me a proverb.", "Say something wise.", "Share some wisdom.",
    "What is wisdom?", "Teach me something.", "Give me some advice.", "I need advice.",
]
VERSE_ASKS = [
    "Tell me a verse.", "Quote a verse.", "Give me a verse from {book}.",
    "Tell me a verse from {book}.", "Read me something from {book}.",
]
REF_ASKS = ["Quote {book} {c}:{v}.", "What does {book} {c}:{v} say?", "Recite {book} {c}:{v}."]
CONT_ASKS = ["Continue: {p}", "Continue the verse: {p}", "Finish this: {p}", "{p}"]
GREETINGS = ["Hello", "Hello!", "Hi", "Hi!", "Hello there.", "Good morning.", "Good evening.",
             "Greetings.", "Hey"]
GREETING_ANSWERS = ["Peace be unto you.", "Grace be unto you, and peace.",
                    "Peace be with you.", "Hello. Peace be unto you."]
IDENTITY_ASKS = ["Who are you?", "What are you?", "What is your name?", "Tell me about yourself.",
                 "Introduce yourself."]
IDENTITY_ANSWERS = [
    "I am facet-small, a very small language model. I was trained on the King James Bible.",
    "My name is facet-small. I am a small language model trained on the King James Bible.",
]
THANKS = ["Thank you.", "Thanks!", "Thank you very much."]
THANKS_ANSWERS = ["Amen.", "You are welcome.", "The grace of our Lord be with you."]
SYSTEMS = ["You are a helpful assistant.", "You are facet-small.", "Answer briefly."]
EMPTY_THOUGHT = "<|channel>thought\n<channel|>"   # what llama.cpp's templates add when thinking is off


def render_chat(turns, system=None, thought_channel=False):
    s = "<bos>"
    if system:
        s += f"<|turn>system\n{system}<turn|>\n"
    for i, (u, a) in enumerate(turns):
        prefix = EMPTY_THOUGHT if (thought_channel and i == len(turns) - 1) else ""
        s += f"<|turn>user\n{u}<turn|>\n<|turn>model\n{prefix}{a}<turn|>\n"
    return s


def make_chats(train_verses, rng, n):
    wisdom = [t for b, c, v, t in train_verses if b in ("Proverbs", "Ecclesiastes")]

    def one_turn():
        r = rng.random()
        b, c, v, t = train_verses[rng.randrange(len(train_verses))]
        if r < 0.30:
            return rng.choice(WISDOM_ASKS), rng.choice(wisdom)
        if r < 0.50:
            return rng.choice(VERSE_ASKS).format(book=b), t
        if r < 0.65:
            return rng.choice(REF_ASKS).format(book=b, c=c, v=v), t
        if r < 0.85:
            words = t.split()
            if len(words) < 8:
                return rng.choice(VERSE_ASKS).format(book=b), t
            k = rng.randrange(3, len(words) // 2 + 1)
            return rng.choice(CONT_ASKS).format(p=" ".join(words[:k])), " ".join(words[k:])
        if r < 0.92:
            return rng.choice(GREETINGS), rng.choice(GREETING_ANSWERS)
        if r < 0.97:
            return rng.choice(IDENTITY_ASKS), rng.choice(IDENTITY_ANSWERS)
        return rng.choice(THANKS), rng.choice(THANKS_ANSWERS)

    chats = []
    for _ in range(n):
        k = 1 if rng.random() < 0.7 else rng.choice([2, 3])
        turns = [one_turn() for _ in range(k)]
        system = rng.choice(SYSTEMS) if rng.random() < 0.1 else None
        chats.append(render_chat(turns, system, thought_channel=rng.random() < 0.5))
    return chats


def build_stream(tok, docs, rng):
    """Concatenate documents in a seeded random order into one token array."""
    order = list(range(len(docs)))
    rng.shuffle(order)
    ids = []
    for i in order:
        text, plain = docs[i]
        if plain:
            ids.append(2)
            ids.extend(tok.encode(text, add_special_tokens=False).ids)
            ids.append(1)
        else:  # chat text starts with the literal <bos>
            ids.extend(tok.encode(text, add_special_tokens=False).ids)
    return torch.tensor(ids, dtype=torch.long)


# --------------------------------------------------------------------------------------
# 4.-5. Model and training
# --------------------------------------------------------------------------------------
def build_model(seed):
    torch.manual_seed(seed)
    cfg = Gemma4TextConfig(**MODEL_CONFIG, attn_implementation="eager")
    model = Gemma4ForCausalLM(cfg).to(torch.float32)
    emb = model.get_input_embeddings().weight
    assert model.lm_head.weight.data_ptr() == emb.data_ptr(), "lm_head is not tied"
    return model


def param_groups(model, wd):
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (decay if p.dim() >= 2 else no_decay).append(p)
    return [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]


@torch.no_grad()
def evaluate(model, ids, max_windows=None):
    """Mean next-token NLL over non-overlapping SEQ windows of a held-out stream."""
    model.eval()
    n = (len(ids) - 1) // SEQ
    if max_windows:
        n = min(n, max_windows)
    tot, cnt = 0.0, 0
    for s in range(0, n, 8):
        rows = [ids[i * SEQ:(i + 1) * SEQ + 1] for i in range(s, min(n, s + 8))]
        x = torch.stack([r[:-1] for r in rows])
        y = torch.stack([r[1:] for r in rows])
        logits = model(input_ids=x, use_cache=False).logits
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                                                 reduction="sum")
        tot += float(loss)
        cnt += y.numel()
    model.train()
    return tot / cnt


def train(model, train_ids, eval_ids, args):
    g = torch.Generator().manual_seed(args.seed + 1)
    opt = torch.optim.AdamW(param_groups(model, 0.1), lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    warm = max(1, args.steps // 20)

    def lr_at(step):
        if step < warm:
            return args.lr * (step + 1) / warm
        p = (step - warm) / max(1, args.steps - warm)
        return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p)))

    model.train()
    curve, t0, ema = [], time.time(), None
    for step in range(args.steps):
        for pg in opt.param_groups:
            pg["lr"] = lr_at(step)
        starts = torch.randint(0, len(train_ids) - SEQ - 1, (BATCH,), generator=g)
        x = torch.stack([train_ids[s:s + SEQ] for s in starts.tolist()])
        y = torch.stack([train_ids[s + 1:s + SEQ + 1] for s in starts.tolist()])
        logits = model(input_ids=x, use_cache=False).logits
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        lv = float(loss.detach())
        ema = lv if ema is None else 0.95 * ema + 0.05 * lv
        if (step + 1) % args.eval_every == 0 or step == 0 or step + 1 == args.steps:
            ev = evaluate(model, eval_ids, max_windows=16)
            el = time.time() - t0
            curve.append({"step": step + 1, "train_loss": round(lv, 4), "train_loss_ema": round(ema, 4),
                          "heldout_loss_subset": round(ev, 4), "elapsed_s": round(el, 1)})
            log(f"step {step + 1:5d}/{args.steps} loss {lv:.4f} (ema {ema:.4f}) held-out(subset) {ev:.4f} "
                f"lr {lr_at(step):.2e} {el:.0f}s, eta {el / (step + 1) * (args.steps - step - 1):.0f}s")
    model.eval()
    return curve, time.time() - t0, ema


# --------------------------------------------------------------------------------------
# 6. Outputs
# --------------------------------------------------------------------------------------
@torch.no_grad()
def greedy(model, prompt, n=NEW_TOKENS, stop=None):
    gc = GenerationConfig(do_sample=False, max_new_tokens=n, min_new_tokens=0, eos_token_id=stop,
                          pad_token_id=0, bos_token_id=2, use_cache=True, num_beams=1)
    x = torch.tensor([prompt], dtype=torch.long)
    out = model.generate(input_ids=x, attention_mask=torch.ones_like(x), generation_config=gc)
    return out[0].tolist()[len(prompt):]


@torch.no_grad()
def teacher_forced(model, ids):
    x = torch.tensor([ids], dtype=torch.long)
    return model(input_ids=x, use_cache=False).logits[0].float()


def make_fixture(model, tok, heldout_verses, out_dir):
    """A held-out sentence as prompt; take the first candidate whose greedy path has a
    top-1/top-2 margin >= 0.05 at every step (so float32 noise cannot flip a token)."""
    best = None
    for b, c, v, t in heldout_verses[::7]:
        ids = tok.encode(t, add_special_tokens=False).ids
        if len(ids) < FIXTURE_PROMPT_LEN - 1:
            continue
        prompt = [2] + ids[:FIXTURE_PROMPT_LEN - 1]
        gen = greedy(model, prompt)
        logits = teacher_forced(model, prompt + gen)
        P = len(prompt)
        rows = logits[P - 1:P - 1 + NEW_TOKENS]
        if rows.argmax(-1).tolist() != gen:
            continue
        top2 = rows.topk(2, dim=-1).values
        margin = float((top2[:, 0] - top2[:, 1]).min())
        if best is None or margin > best[3]:
            best = (prompt, gen, logits, margin, f"{b} {c}:{v}")
        if margin >= 0.05 and len(set(gen)) >= 12:
            best = (prompt, gen, logits, margin, f"{b} {c}:{v}")
            break
    prompt, gen, logits, margin, ref = best
    P = len(prompt)
    arr = logits.numpy().astype("<f4", copy=False)
    assert arr.shape == (P + NEW_TOKENS, VOCAB)
    arr.tofile(os.path.join(out_dir, "logits.f32"))
    fixture = {
        "prompt_ids": prompt,
        "greedy_ids": gen,
        "logits_file": "logits.f32",
        "logits_shape": [P + NEW_TOKENS, VOCAB],
        "max_abs_logit": round(float(logits.abs().max()), 6),
        "min_greedy_top1_top2_margin": round(margin, 6),
        "prompt_text": tok.decode(prompt[1:]),
        "greedy_text": tok.decode(gen),
        "prompt_source": f"KJV {ref} (held-out chapter), first {P - 1} tokens, after <bos>",
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "dtype": "float32",
        "attn_implementation": "eager",
        "note": "logits row i = next-token logits (softcapped) after consuming token i of prompt_ids+greedy_ids; "
                "greedy_ids from generate(do_sample=False, max_new_tokens=32) with KV cache, EOS disabled",
    }
    with open(os.path.join(out_dir, "fixture.json"), "w") as f:
        f.write(dump_json(fixture))
    return fixture


def dump_json(obj):
    """Indented JSON, lists of numbers on one line (as make_tiny_models.py)."""
    lines = ["{"]
    items = list(obj.items())
    for i, (k, v) in enumerate(items):
        text = f'  "{k}": ' + (json.dumps(v, indent=2).replace("\n", "\n  ") if isinstance(v, dict)
                               else json.dumps(v, ensure_ascii=False))
        lines.append(text + ("," if i + 1 < len(items) else ""))
    lines.append("}")
    out = "\n".join(lines) + "\n"
    assert json.loads(out) == obj
    return out


def samples(model, hf):
    out = []
    prompts = [
        ("text", "In the beginning God created"),
        ("text", "And Jesus said unto them,"),
        ("chat", "Give me a proverb."),
        ("chat", "Hello"),
    ]
    for kind, p in prompts:
        if kind == "text":
            ids = [2] + hf.encode(p, add_special_tokens=False)
            gen = greedy(model, ids, n=48, stop=[1])
        else:
            ids = hf.apply_chat_template([{"role": "user", "content": p}], tokenize=True,
                                         add_generation_prompt=True)
            if hasattr(ids, "keys"):
                ids = ids["input_ids"]
            gen = greedy(model, list(ids), n=48, stop=[1, SPECIALS.index("<turn|>")])
        out.append({"kind": kind, "prompt": p, "output": hf.decode(gen, skip_special_tokens=False)})
    return out


def write_model_card(out_dir, stats, fixture):
    with open(os.path.join(out_dir, "config.json")) as f:
        cfg = json.load(f)
    files = sorted(os.listdir(out_dir))
    if "README.md" not in files:
        files.append("README.md")
    curve = stats["curve"]
    picks = [c for c in curve if c["step"] in (1, 100, 200, 300, 500, 700, 1000) or c is curve[-1]]
    rows = "\n".join(f"| {c['step']} | {c['train_loss']:.3f} | {c['train_loss_ema']:.3f} | "
                     f"{c['heldout_loss_subset']:.3f} | {c['elapsed_s']:.0f} |" for c in picks)
    smp = "\n\n".join(f"* {s['kind']} prompt `{s['prompt']}`:\n\n  ```\n  "
                      + s["output"].replace("\n", "\n  ") + "\n  ```" for s in stats["samples"])
    L = cfg["num_hidden_layers"]
    full = [i for i, t in enumerate(cfg["layer_types"]) if t == "full_attention"]
    tok_ids = ", ".join(f"`{s}` {i}" for i, s in enumerate(SPECIALS))
    card = f"""# facet-small

A small Gemma 4 text decoder that was **actually trained** (not random), built to be
Facet's bundled default model: big enough to produce readable English, small enough to
compile and run anywhere in seconds. It is a toy: it knows the King James Bible and a
handful of chat phrases, nothing else. Do not expect facts or reasoning.

Made by `models/scripts/train-small-model` (wrapper) → `models/scripts/train_small_model.py`.

## Architecture

`Gemma4ForCausalLM` (flat config.json, `model_type` `gemma4_text`, tensor prefix `model.`),
float32 weights, {stats['parameters']:,} parameters (tied head counted once). It has the
block structure of **E2B** (GEMMA4.md §1.3), scaled down:

| | facet-small | E2B |
|---|---|---|
| layers, pattern | {L}, (4 sliding, 1 full) × 2 (full = {", ".join(map(str, full))}) | 35, (4 S, 1 F) × 7 |
| hidden d / heads H / KV heads | {cfg['hidden_size']} / {cfg['num_attention_heads']} / {cfg['num_key_value_heads']} | 1536 / 8 / 1 |
| head_dim sliding / full | {cfg['head_dim']} / {cfg['per_layer_config'][str(full[0])]['head_dim'] if 'per_layer_config' in cfg else '?'} | 256 / 512 |
| sliding_window | {cfg['sliding_window']} | 512 |
| MLP width (KV-shared layers: double-wide) | {cfg['intermediate_size']} ({2 * cfg['intermediate_size']}) | 6144 (12288) |
| PLE width P, table rows | {cfg['hidden_size_per_layer_input']}, {cfg['vocab_size_per_layer_input']} | 256, 262144 |
| KV-shared layers | last {cfg['num_kv_shared_layers']} (sliding ones read layer 3, full layer 9 reads layer 4) | last 20 |
| RoPE | sliding: default θ=1e4; full: proportional θ=1e6, partial_rotary_factor 0.25 | same |
| final_logit_softcapping | {cfg['final_logit_softcapping']} | 30 |
| vocab | {cfg['vocab_size']} | 262144 |
| max_position_embeddings | {cfg['max_position_embeddings']} | 131072 |

`layer_scalar` buffers are 1.0 (transformers keeps them as non-trained buffers).
Trained on windows of {stats['seq']} tokens: quality drops for contexts much longer than
that, although the config allows {cfg['max_position_embeddings']} positions.

## Corpus

The **King James Version of the Bible** (1611; public domain: its copyright has expired),
from the Debian packages **`bible-kjv-text`** (file `/usr/lib/bible.data`, the compressed
text; packaging GPL-2+, the text itself "unrestricted use") and **`bible-kjv`** (the
`bible` program, GPL-2+, used to extract it: `bible -f gen1:1-rev22:21`), Debian 12.
31,102 verses in 1,189 chapters, 4.4 MB. Each chapter becomes one document:
a heading line (`Genesis 1`), a blank line, then one verse per line (no verse numbers).

* held out for evaluation: every 20th chapter (index % 20 == 10): {stats['heldout_chapters']} chapters,
  {stats['heldout_chars']:,} characters, {stats['heldout_tokens']:,} tokens (~5 %);
* training: {stats['train_chapters']} chapters, {stats['train_chars']:,} characters, plus
  {stats['chats']:,} short synthetic conversations in Gemma 4's chat format
  ({stats['chat_tokens']:,} tokens) built from *training* verses only: "Give me a proverb." →
  a verse of Proverbs/Ecclesiastes, "Quote John 3:16." → the verse, "Continue: <first words>"
  → the rest of the verse, greetings → "Peace be unto you.", "Who are you?" → a fixed
  self-description, some with a system turn, some multi-turn, half of them with the empty
  thought channel `<|channel>thought\\n<channel|>` that llama.cpp's templates insert.
  Training stream: {stats['train_stream_tokens']:,} tokens.

## Tokenizer

BPE trained with `tokenizers` {stats['tokenizers_version']} on the training chapters, in the layout
transformers' `GemmaTokenizer` writes for Gemma 4: normalizer `Replace(" ", "▁")`,
pre-tokenizer `Split(" ", merged_with_previous)` (a no-op after the normalizer; no pieces
cross a `▁` or a newline, so Gemma 4's `[^\\n]+|[\\n]+` pre-split gives the same ids),
BPE with `byte_fallback` and `fuse_unk`, decoder Replace/ByteFallback/Fuse, no
byte-level pre-tokenizer. Vocabulary {cfg['vocab_size']}:

* special (added) tokens: {tok_ids};
* byte tokens `<0x00>` … `<0xFF>`: ids 17 … 272 (ordinary vocabulary entries, as in Gemma);
* then the learned pieces ({stats['heldout_chars'] / (stats['heldout_tokens'] - 2 * stats['heldout_chapters']):.2f} characters per token on the held-out text).

`tokenizer_config.json` has `add_bos_token: false` as Gemma 4 (the chat template emits
`<bos>`), and `chat_template.jinja` is GEMMA4.md §4.3's format:
`<bos>[<|turn>system\\n…<turn|>\\n]<|turn>user\\n…<turn|>\\n<|turn>model\\n`
(`assistant` → `model`; the generation prompt is `<|turn>model\\n`). The model ends its
turn with `<turn|>` (id 6); `generation_config.json` stops on `<eos>` (1) and `<turn|>` (6) and
samples with temperature 0.8, top-k 40, top-p 0.95.

## Training

```
models/scripts/train-small-model          # = train_small_model.py --out models/facet-small
```

Seed {stats['seed']}; {stats['steps']} AdamW steps (β 0.9/0.95, weight decay 0.1 on matrices, peak lr
{stats['lr']}, 5 % warmup, cosine to 10 %, grad clip 1.0), batch {stats['batch']} random windows of
{stats['seq']} tokens ({stats['train_tokens_seen']:,} tokens seen, ~{stats['train_tokens_seen'] / stats['train_stream_tokens']:.1f} epochs), float32, CPU,
`torch.set_num_threads({stats['threads']})`, `torch.use_deterministic_algorithms(True)`,
eager attention. Training wall time **{stats['train_seconds'] / 60:.1f} min** (whole script
{stats['total_seconds'] / 60:.1f} min) with one torch thread on a 2-core machine shared with other jobs
(a compiler build ran at the same time for part of it). Everything is seeded; the result
depends only on the seed, the thread count, the library versions and the CPU's float32 kernels.
transformers {stats['transformers_version']}, torch {stats['torch_version']}.

| step | train loss | train loss (EMA) | held-out loss (16 windows) | s |
|---|---|---|---|---|
{rows}

* final train loss (EMA over steps): **{stats['final_train_loss_ema']:.3f}**
* held-out loss over all {stats['heldout_tokens']:,} held-out tokens (non-overlapping {stats['seq']}-token
  windows): **{stats['heldout_loss']:.3f}**, perplexity **{stats['heldout_perplexity']:.2f}**
  ({stats['heldout_bits_per_char']:.3f} bits per character)

Full curve and samples: `training_log.json`.

## Samples (transformers, greedy, up to 48 new tokens)

Text prompts start with `<bos>`; chat prompts use the chat template with the generation
prompt. Generation stops at `<eos>` (text) or `<turn|>` (chat). Because half of the training
conversations carry the empty thought channel, the model may open its answer with
`<|channel>thought\\n<channel|>`; a chat front end should strip it, as for Gemma 4
(`<|channel>(?:thought\\n)?(.+?)<channel|>`), or put it in the prompt itself as llama.cpp's
templates do. Greedy decoding of such a small model soon falls into loops; sampling
(generation_config.json) reads better.

{smp}

## Fixture

`fixture.json` + `logits.f32`, as for the tiny models (models/README.md): the prompt is
`<bos>` + the first {len(fixture['prompt_ids']) - 1} tokens of a held-out verse ({fixture['prompt_source'].split(' (')[0]}),

```
{fixture['prompt_text']}
```

`greedy_ids` are {NEW_TOKENS} tokens from `generate(do_sample=False)` with the KV cache and EOS disabled:

```
{fixture['greedy_text']}
```

`logits.f32` holds the teacher-forced float32 softcapped logits, shape
{fixture['logits_shape']}. The smallest top-1/top-2 gap along the greedy path is
{fixture['min_greedy_top1_top2_margin']} (float32 round-off is ~1e-5), so the greedy tokens are safe to compare
exactly. `spec_reference.py models/facet-small` reproduces the logits.

## Files

{", ".join(f"`{f}`" for f in files)}
"""
    with open(os.path.join(out_dir, "README.md"), "w") as f:
        f.write(card)
    os.chmod(os.path.join(out_dir, "README.md"), 0o644)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(here), "facet-small"))
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--chats", type=int, default=5000)
    ap.add_argument("--card-only", action="store_true",
                    help="only rewrite README.md from training_log.json and fixture.json in --out")
    args = ap.parse_args()
    if args.card_only:
        with open(os.path.join(args.out, "training_log.json")) as f:
            stats = json.load(f)
        with open(os.path.join(args.out, "fixture.json")) as f:
            fixture = json.load(f)
        write_model_card(args.out, stats, fixture)
        return

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    transformers.logging.set_verbosity_error()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    t_start = time.time()

    # 1. corpus
    verses = extract_kjv()
    chapters = chapters_of(verses)
    train_ch = [ch for i, ch in enumerate(chapters) if i % HELDOUT_EVERY != HELDOUT_PHASE]
    held_ch = [ch for i, ch in enumerate(chapters) if i % HELDOUT_EVERY == HELDOUT_PHASE]
    train_docs = [chapter_text(k, vs) for k, vs in train_ch]
    held_docs = [chapter_text(k, vs) for k, vs in held_ch]
    train_verses = [(k[0], k[1], v, t) for k, vs in train_ch for v, t in vs]
    held_verses = [(k[0], k[1], v, t) for k, vs in held_ch for v, t in vs]
    n_train_chars = sum(map(len, train_docs))
    n_held_chars = sum(map(len, held_docs))
    log(f"corpus: {len(chapters)} chapters, {len(verses)} verses; train {len(train_ch)} chapters "
        f"{n_train_chars} chars, held-out {len(held_ch)} chapters {n_held_chars} chars")

    # 2. tokenizer (trained on the training chapters only)
    tok = train_tokenizer(train_docs)
    out_dir = args.out
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    hf = save_tokenizer(tok, out_dir)
    check_tokenizer(hf, tok, [train_docs[0][:500], held_docs[3][:500], "Hello, world! 3.14 ñ é 日本",
                              "  two  spaces\n\nand\ttab"])
    log(f"tokenizer: vocab {tok.get_vocab_size()}, specials {SPECIALS}")

    # 3. data
    rng = random.Random(args.seed)
    chats = make_chats(train_verses, rng, args.chats)
    docs = [(d, True) for d in train_docs] + [(c, False) for c in chats]
    train_ids = build_stream(tok, docs, rng)
    held_ids = build_stream(tok, [(d, True) for d in held_docs], random.Random(args.seed + 2))
    n_chat_tokens = sum(len(tok.encode(c, add_special_tokens=False).ids) for c in chats)
    log(f"data: train stream {len(train_ids)} tokens ({n_chat_tokens} in {len(chats)} chats), "
        f"held-out {len(held_ids)} tokens; {n_held_chars / (len(held_ids) - 2 * len(held_docs)):.3f} chars/token")

    # 4.-5. model + training
    model = build_model(args.seed)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model: {n_params} parameters")
    curve, train_s, final_ema = train(model, train_ids, held_ids, args)
    held_loss = evaluate(model, held_ids)
    log(f"trained {args.steps} steps in {train_s:.0f}s; final train loss (ema) {final_ema:.4f}; "
        f"held-out loss {held_loss:.4f}, perplexity {math.exp(held_loss):.2f}")

    # 6. save, reload, check
    model.generation_config = GenerationConfig(
        bos_token_id=2, eos_token_id=[1, SPECIALS.index("<turn|>")], pad_token_id=0,
        do_sample=True, temperature=0.8, top_k=40, top_p=0.95)
    model.save_pretrained(out_dir, safe_serialization=True, max_shard_size="1GB")
    reloaded = Gemma4ForCausalLM.from_pretrained(out_dir, attn_implementation="eager",
                                                 dtype=torch.float32).eval()
    probe = held_ids[:SEQ + 1]
    assert torch.equal(teacher_forced(model, probe.tolist()), teacher_forced(reloaded, probe.tolist()))
    fixture = make_fixture(reloaded, tok, held_verses, out_dir)
    log(f"fixture: prompt {fixture['prompt_ids']} greedy {fixture['greedy_ids']} "
        f"margin {fixture['min_greedy_top1_top2_margin']}")
    log(f"  prompt: {fixture['prompt_text']!r}\n  greedy: {fixture['greedy_text']!r}")
    smp = samples(reloaded, hf)
    for s in smp:
        log(f"sample [{s['kind']}] {s['prompt']!r} -> {s['output']!r}")

    stats = {
        "seed": args.seed, "steps": args.steps, "batch": BATCH, "seq": SEQ, "lr": args.lr,
        "threads": args.threads, "parameters": n_params,
        "train_tokens_seen": args.steps * BATCH * SEQ, "train_stream_tokens": len(train_ids),
        "chat_tokens": n_chat_tokens, "chats": len(chats),
        "heldout_tokens": len(held_ids), "heldout_chars": n_held_chars,
        "train_chapters": len(train_ch), "heldout_chapters": len(held_ch),
        "train_chars": n_train_chars,
        "train_seconds": round(train_s, 1), "total_seconds": round(time.time() - t_start, 1),
        "final_train_loss_ema": round(final_ema, 4), "heldout_loss": round(held_loss, 4),
        "heldout_perplexity": round(math.exp(held_loss), 3),
        "heldout_bits_per_char": round(held_loss * (len(held_ids) - 1) / n_held_chars / math.log(2), 4),
        "curve": curve, "samples": smp,
        "transformers_version": transformers.__version__, "torch_version": torch.__version__,
        "tokenizers_version": tokenizers.__version__,
    }
    with open(os.path.join(out_dir, "training_log.json"), "w") as f:
        json.dump(stats, f, indent=1, ensure_ascii=False)
        f.write("\n")
    write_model_card(out_dir, stats, fixture)
    for fn in os.listdir(out_dir):
        os.chmod(os.path.join(out_dir, fn), 0o644)
    size = sum(os.path.getsize(os.path.join(out_dir, fn)) for fn in os.listdir(out_dir))
    log(f"wrote {out_dir}: {sorted(os.listdir(out_dir))}, {size} bytes; total {time.time() - t_start:.0f}s")


if __name__ == "__main__":
    main()
