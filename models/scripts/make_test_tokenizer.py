#!/usr/bin/env python3
"""Builds the small Gemma-format test tokenizer and its reference corpus.

Writes (deterministically):
  test/tokenizer/data/tokenizer.json  a BPE tokenizer.json shaped like Gemma
      4's: SentencePiece-style pieces with U+2581 for spaces (normalizer
      Replace(" ", "▁")), the newline-run pre-split `[^\\n]+|[\\n]+`, byte
      fallback <0x00>..<0xFF>, the Gemma 4 special tokens kept whole, and the
      Replace/ByteFallback/Fuse decoder. About 2000 tokens, trained on the
      English license texts in /usr/share/common-licenses plus a few
      sentences of accented Latin below.
  test/tokenizer/data/corpus.json  test strings with the ids the `tokenizers`
      library gives them (add_special_tokens=False) and its decoding of those
      ids (skip_special_tokens=False): the oracle of test/tokenizer.
  test/tokenizer/data/features.json  small tokenizer.json variants for what
      Gemma's does not use (split behaviours, normalized added tokens, ...)
      with the library's ids and decodings, likewise.

Run with a Python that has `tokenizers` (0.23.x made the committed files):
  /work/venv-fixtures/bin/python models/scripts/make_test_tokenizer.py
or in a fresh venv:
  python3 -m venv .venv-tokenizer && .venv-tokenizer/bin/pip install tokenizers
  .venv-tokenizer/bin/python models/scripts/make_test_tokenizer.py
"""

import argparse
import json
import os
from pathlib import Path

# Training counts pairs in threads; keep it single-threaded so that the
# output can only depend on the input.
os.environ["TOKENIZERS_PARALLELISM"] = "false"

from tokenizers import Regex, Tokenizer, decoders, models, normalizers
from tokenizers import pre_tokenizers, trainers

VOCAB_SIZE = 2000
LICENSES = Path("/usr/share/common-licenses")

# Gemma 4's control tokens (GEMMA4.md §4.2), in Gemma's id order. The real
# ids (105, 106, 255999, ...) do not fit a 2000-token vocabulary, so these
# take the first ids; tests look them up by name.
SPECIAL = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>",
           "<|tool>", "<tool|>", "<|think|>", "<|turn>", "<turn|>",
           "<|image>", "<|audio>", "<|image|>", "<|audio|>", "<image|>",
           "<audio|>", "<|video|>"]
# llama.cpp forces these to USER_DEFINED (always rendered): added tokens that
# are matched whole but are not "special" (skip_special_tokens keeps them).
USER_DEFINED = ["<|tool_call>", "<tool_call|>", "<|tool_response>",
                "<tool_response|>", '<|"|>', "<|channel>", "<channel|>"]
BYTES = ["<0x%02X>" % b for b in range(256)]

# A little accented Latin so that some non-ASCII characters are in the
# vocabulary (CJK and emoji stay out: they exercise byte fallback).
EXTRA_TEXT = """\
Le café était fermé, mais la crème brûlée restait délicieuse à Noël.
Über den Flüssen blühen die Bäume; die Straße ist schön und grün.
El niño comió piñata y jalapeños en la mañana, señor.
São Paulo não é a capital; a ação começa às três horas.
"""

CORPUS = [
    "",
    "Hello world",
    "Hello, world! How are you?",
    "the license and the software",
    "This program is free software; you can redistribute it.",
    " leading space",
    "trailing space ",
    "  two leading spaces and two trailing  ",
    "multiple     spaces    inside",
    " ",
    "     ",
    "\n",
    "\n\n",
    "\n\n\n\n",
    "line one\nline two\n\nline four\n",
    "\n leading newline and space",
    "tab\tseparated\tvalues\t",
    "\t\t indented",
    "mixed \t\n \r\n whitespace",
    "Punctuation: (a), [b], {c}; \"d\" 'e' -- f... g?! #h @i $j %k ^l &m *n",
    "numbers 0123456789 3.14159 1,000,000",
    "Le café était fermé à Noël.",
    "Die Straße ist schön; Übermut tut selten gut.",
    "São Paulo, ação, coração",
    "naïve façade déjà vu",
    "日本語のテキスト",
    "中文文本和English混合",
    "한국어 텍스트",
    "emoji: 😀🎉👍🏽 and 🇫🇷 flag",
    "family 👨‍👩‍👧 zwj",
    "math ∑ ∫ √ ≠ ≤ and arrows → ←",
    "rare letters: ǅ Ꙃ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\u0000 nul and \u0007 bell and \u007f del",
    "U+2581 itself: ▁ and ▁▁word",
    "<bos>",
    "<bos>Hello",
    "<|turn>user\nWhat is the GPL?<turn|>\n<|turn>model\n",
    "text<|turn>inside<turn|>text",
    "<|channel>thought\nthinking<channel|>answer",
    '<|tool_call>call:f{x:<|"|>hi<|"|>}<tool_call|>',
    "<eos><eos><pad>",
    "not special: <turn> <|turn <bos",
    "<0x41> is literal text, not a byte",
    "\n\n<|image|>\n\n",
    "ends with special<turn|>",
    "a",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "GNU GENERAL PUBLIC LICENSE Version 3, 29 June 2007",
    "Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>",
    "you may not use this file except in compliance with the License.",
    "x" * 3 + " " * 3 + "y" * 3,
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
]


def training_text():
    texts = []
    for path in sorted(LICENSES.iterdir()):
        if path.is_symlink() or not path.is_file():
            continue
        texts.append(path.read_text(encoding="utf-8", errors="replace"))
    texts.append(EXTRA_TEXT)
    return texts


def gemma_pre_tokenizer():
    # GEMMA4.md §4.1: the only pre-split is `[^\n]+|[\n]+`.
    return pre_tokenizers.Split(Regex(r"[^\n]+|[\n]+"), behavior="isolated")


def train():
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True,
                                     fuse_unk=True))
    tokenizer.normalizer = normalizers.Replace(" ", "▁")
    # Training only: also split before every ▁ so that merges stay inside
    # words, like SentencePiece's. The final tokenizer uses Gemma's split.
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        gemma_pre_tokenizer(),
        pre_tokenizers.Split("▁", behavior="merged_with_next"),
    ])
    reserved = len(SPECIAL) + len(USER_DEFINED) + len(BYTES)
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE - reserved,
                                  show_progress=False, special_tokens=[])
    tokenizer.train_from_iterator(training_text(), trainer=trainer)
    return json.loads(tokenizer.to_str())


def build(trained):
    # Gemma's id layout: control tokens, then byte tokens, then the pieces.
    vocab = {}
    for token in SPECIAL + USER_DEFINED + BYTES:
        vocab[token] = len(vocab)
    pieces = sorted(trained["model"]["vocab"].items(), key=lambda kv: kv[1])
    for token, _ in pieces:
        if token not in vocab:
            vocab[token] = len(vocab)
    merges = trained["model"]["merges"]
    added = []
    for token in SPECIAL + USER_DEFINED:
        added.append({"id": vocab[token], "content": token,
                      "single_word": False, "lstrip": False, "rstrip": False,
                      "normalized": False, "special": token in SPECIAL})
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[tuple(m) for m in merges],
                                     unk_token="<unk>", fuse_unk=True,
                                     byte_fallback=True))
    tokenizer.normalizer = normalizers.Replace(" ", "▁")
    tokenizer.pre_tokenizer = gemma_pre_tokenizer()
    tokenizer.decoder = decoders.Sequence([
        decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse()])
    data = json.loads(tokenizer.to_str())
    data["added_tokens"] = added
    # Reload so the added tokens take effect exactly as a file would load.
    return Tokenizer.from_str(json.dumps(data))


# Small tokenizers for the features Gemma's does not use (every split
# behaviour, normalized added tokens, ignore_merges, unknown tokens without
# byte fallback, merges listed twice, Sequence pre-tokenizers): written as
# tokenizer.json objects, with the library's ids as the oracle.
FEATURE_TEXTS = ["", "ab ab", "  abc  d ", "a-b--c", "x\n\ny ab", "hello world!",
                 "abab hello world", "ab\u00e9z", "zz", "a b\nc-d"]


def feature_tokenizers():
    letters = list("abcdehlorwz ▁-!") + ["\n"]
    vocab = {"<unk>": 0, "<s>": 1}
    for c in letters:
        vocab[c] = len(vocab)
    for t in ["ab", "abc", "ll", "he", "hell", "hello", "▁a", "▁ab", "--",
              "lo", "or", "wor", "worl", "world", "\n\n", "a▁", "a▁b"]:
        vocab[t] = len(vocab)
    for b in range(256):
        vocab["<0x%02X>" % b] = len(vocab)
    merges = [["a", "b"], ["ab", "c"], ["l", "l"], ["h", "e"], ["he", "ll"],
              ["hell", "o"], ["▁", "a"], ["▁a", "b"], ["-", "-"], ["l", "o"],
              ["o", "r"], ["w", "or"], ["wor", "l"], ["\n", "\n"],
              ["a", "▁"], ["a▁", "b"], ["l", "o"]]

    def make(model=None, normalizer=None, pre_tokenizer=None, added=()):
        bpe = {"type": "BPE", "dropout": None, "unk_token": "<unk>",
               "continuing_subword_prefix": None, "end_of_word_suffix": None,
               "fuse_unk": False, "byte_fallback": False,
               "ignore_merges": False, "vocab": vocab, "merges": merges}
        bpe.update(model or {})
        return {"version": "1.0", "truncation": None, "padding": None,
                "added_tokens": list(added), "normalizer": normalizer,
                "pre_tokenizer": pre_tokenizer, "post_processor": None,
                "decoder": {"type": "Sequence", "decoders": [
                    {"type": "Replace", "pattern": {"String": "▁"},
                     "content": " "},
                    {"type": "ByteFallback"}, {"type": "Fuse"}]},
                "model": bpe}

    replace = {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}
    newline = {"type": "Split", "pattern": {"Regex": "[^\\n]+|[\\n]+"},
               "behavior": "Isolated", "invert": False}
    variants = {}
    for behavior in ["Removed", "Isolated", "MergedWithPrevious",
                     "MergedWithNext", "Contiguous"]:
        variants["split-" + behavior] = make(pre_tokenizer={
            "type": "Split", "pattern": {"String": "-"},
            "behavior": behavior, "invert": False})
        variants["space-split-" + behavior] = make(
            normalizer=None, model={"byte_fallback": True},
            pre_tokenizer={"type": "Split", "pattern": {"String": " "},
                           "behavior": behavior, "invert": False})
    variants["sequence-split"] = make(normalizer=replace, pre_tokenizer={
        "type": "Sequence", "pretokenizers": [newline, {
            "type": "Split", "pattern": {"String": "▁"},
            "behavior": "MergedWithNext", "invert": False}]})
    variants["normalized-added"] = make(normalizer=replace, added=[
        {"id": vocab["<s>"], "content": "<s>", "single_word": False,
         "lstrip": False, "rstrip": False, "normalized": False,
         "special": True},
        {"id": len(vocab), "content": "o w", "single_word": False,
         "lstrip": False, "rstrip": False, "normalized": True,
         "special": False}])
    variants["ignore-merges"] = make(normalizer=replace,
                                     model={"ignore_merges": True})
    variants["unknown-fused"] = make(model={"fuse_unk": True})
    variants["unknown-unfused"] = make(model={"fuse_unk": False})
    variants["byte-fallback"] = make(normalizer=replace,
                                     model={"byte_fallback": True})
    out = []
    for name, data in variants.items():
        tokenizer = Tokenizer.from_str(json.dumps(data))
        cases = []
        for text in FEATURE_TEXTS:
            ids = tokenizer.encode(text, add_special_tokens=False).ids
            cases.append({"text": text, "ids": ids,
                          "decoded": tokenizer.decode(
                              ids, skip_special_tokens=False)})
        out.append({"name": name, "tokenizer": json.loads(tokenizer.to_str()),
                    "cases": cases})
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    repo = Path(__file__).resolve().parents[2]
    parser.add_argument("--out", type=Path,
                        default=repo / "test" / "tokenizer" / "data")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    tokenizer = build(train())
    text = tokenizer.to_str(pretty=False)
    (args.out / "tokenizer.json").write_text(
        json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8")

    cases = []
    for entry in CORPUS:
        ids = tokenizer.encode(entry, add_special_tokens=False).ids
        decoded = tokenizer.decode(ids, skip_special_tokens=False)
        cases.append({"text": entry, "ids": ids, "decoded": decoded})
    long_text = "\n".join(training_text()[:3])
    ids = tokenizer.encode(long_text, add_special_tokens=False).ids
    cases.append({"text": long_text, "ids": ids,
                  "decoded": tokenizer.decode(ids, skip_special_tokens=False)})
    corpus = {"generator": "models/scripts/make_test_tokenizer.py",
              "special": {t: tokenizer.token_to_id(t) for t in SPECIAL + USER_DEFINED},
              "cases": cases}
    (args.out / "corpus.json").write_text(
        json.dumps(corpus, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (args.out / "features.json").write_text(
        json.dumps(feature_tokenizers(), ensure_ascii=False) + "\n",
        encoding="utf-8")
    print(f"make_test_tokenizer: {tokenizer.get_vocab_size()} tokens, "
          f"{len(cases)} corpus cases in {args.out}")


if __name__ == "__main__":
    main()
