#!/usr/bin/env python3
"""Fine-tunes an exported reversibility model on a user's own scanned corpus (run by `audit adapt`).

The network is models/train.py's, rebuilt from the base model's ONNX weights (models/onnx_weights.py) and checked
against its parity file. Every layer is trained (a new head on a frozen network cannot learn what the network does not
measure): the arrow of time from every training clip as filmed (its reversal is the backwards example by construction:
p_forward is antisymmetric), the verdict from the text-derived weak verdicts where the corpus has any. The held-out
groups are measured before and after with whole clips, as `audit scan` judges them. Writes <name>.onnx,
<name>.card.json and <name>.parity.json into --out; prints `phase WHAT` lines as it moves on, `progress DONE/TOTAL`
lines while it trains, and a final JSON line."""
import argparse
import hashlib
import json
import mmap
import os
import sys
import time

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_weights as W  # noqa: E402
import train as T  # noqa: E402


class ReleasingData(T.Data):
    """The exported tensors, memory-mapped as train.py maps them, but handed back to the page cache every few batches
    (madvise DONTNEED): the process holds about a batch of rows instead of every page of the corpus it has touched."""
    EVERY = 16

    def batch(self, idx):
        out = super().batch(idx)
        self._batches = getattr(self, '_batches', 0) + 1
        if self._batches % self.EVERY == 0:
            for arrays in self.parts:
                for a in arrays:
                    m = getattr(a, '_mmap', None)
                    if m is not None:
                        m.madvise(mmap.MADV_DONTNEED)
        return out


def measure(model, data, idx):
    """Whole-clip arrow accuracy and verdict agreement with the weak verdicts on rows idx (the model runs on the rows
    inference averages only)."""
    use = np.concatenate(T.judged_rows(data, idx))
    pf, pv, yv, yf, _, _ = T.Predictions(model, data, use).whole(use)
    known = yf >= 0
    labelled = yv >= 0
    return {'clips': int(len(pf)),
            'arrow_accuracy': float(((pf > 0.5) == (yf == 1))[known].mean()) if known.any() else None,
            'mean_abs_p_forward_minus_half': float(np.abs(pf - 0.5).mean()) if len(pf) else None,
            'verdict_clips': int(labelled.sum()),
            'verdict_agreement': float((pv.argmax(1) == yv)[labelled].mean()) if labelled.any() else None}


def phase(what):
    """What the run does next, for the user (`audit adapt` shows it)."""
    print(f'phase {what}', flush=True)


def verdict_targets(member, data, rows, batch=256):
    """The member's own verdict probabilities on rows before fine-tuning (the view training sees: no flip average),
    kept as targets so that the verdict does not drift where the corpus has no verdict labels."""
    member.train()  # the training view (dropout is 0 in exported networks)
    out = torch.zeros(len(data.yv), 3)
    with torch.no_grad():
        for i in range(0, len(rows), batch):
            b = np.sort(rows[i:i + batch])
            x, m, _, _ = data.batch(b)
            out[torch.from_numpy(b)] = torch.softmax(member.outputs(x, m)[0], 1)
    return out


def finetune(member, data, clips, a, rng, flip_maps, step, total):
    """Trains one network in place; clips holds each training clip's rows (its windows), and every epoch sees one
    window of every clip, drawn at random: the variety of all windows at the cost of one row per clip."""
    keep = verdict_targets(member, data, np.concatenate(clips)) if a.keep_verdict > 0 else None
    params = list(member.parameters())
    start = [p.detach().clone() for p in params] if a.anchor > 0 else None
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=1e-4)
    bce = nn.BCEWithLogitsLoss(reduction='none')
    ce = nn.CrossEntropyLoss(ignore_index=-1, reduction='none')
    vweight = torch.from_numpy(data.vweight)
    for epoch in range(a.epochs):
        member.train()
        order, loss_sum = rng.permutation(np.array([c[rng.integers(len(c))] for c in clips])), 0.0
        for i in range(0, len(order), a.batch):
            batch = np.sort(order[i:i + a.batch])
            x, m, yv, yf = data.batch(batch)
            x = T.hflip(x, m, flip_maps, torch.from_numpy(rng.random(len(yv)) < 0.5))
            logits, _, arrow_logit, _, _ = member.outputs(x, m)
            known = yf >= 0
            loss = (bce(arrow_logit, yf.float().clamp(min=0)) * known).sum() / max(int(known.sum()), 1)
            if keep is not None:  # KL(base || adapted) of the verdict: learning the arrow must not unlearn the verdict
                target = keep[torch.from_numpy(batch)]
                kl = (target * (torch.log(target.clamp(min=1e-8)) - torch.log_softmax(logits, 1))).sum(1).mean()
                loss = loss + a.keep_verdict * kl
            if a.verdict_weight > 0 and (yv >= 0).any():
                loss = loss + a.verdict_weight * (ce(logits, yv) * vweight[batch]).sum() / int((yv >= 0).sum())
            if start is not None:  # L2-SP: the squared distance from the base weights, so the network stays near it
                moved = zip(params, start, strict=True)
                loss = loss + a.anchor * sum(((p - p0) ** 2).sum() for p, p0 in moved)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += float(loss) * len(batch)
            step[0] += 1
            mean_loss = loss_sum / (i + len(batch))
            print(f'progress {step[0]}/{total} epoch {epoch + 1}/{a.epochs} loss {mean_loss:.4f}', flush=True)
    member.eval()


def _by_clip(ids, rows):
    """The rows of each clip (rows sorted by id), in id order."""
    order = rows[np.argsort(ids[rows], kind='stable')]
    cut = np.flatnonzero(ids[order][1:] != ids[order][:-1]) + 1
    return np.split(order, cut)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--base', required=True, help='the exported model to start from (.onnx; its .card.json beside it)')
    ap.add_argument('--data', required=True, nargs='+',
                    help='tensors exported by `audit adapt` (rows with split train / val)')
    ap.add_argument('--out', required=True)
    ap.add_argument('--name', required=True)
    ap.add_argument('--version', required=True)
    ap.add_argument('--epochs', type=int, default=8)
    ap.add_argument('--lr', type=float, default=3e-4)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--verdict-weight', type=float, default=1.0,
                    help='weight of the weak verdict loss beside the arrow loss')
    ap.add_argument('--keep-verdict', type=float, default=1.0,
                    help='weight of KL(base verdict || adapted verdict) on every training row (0: let the verdict '
                         'drift)')
    ap.add_argument('--anchor', type=float, default=1.0,
                    help='weight of the squared distance of every weight from the base model\'s (L2-SP; 0: none)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args(argv)
    if a.epochs < 1 or a.lr < 0 or a.batch < 1 or a.anchor < 0:
        raise SystemExit('--epochs and --batch must be positive, --lr and --anchor not negative')
    return a


def load_base(a):
    """(the base card, the tensors, the base model rebuilt from its ONNX weights and checked against its parity
    file)."""
    base_card_path = a.base[:-len('.onnx')] + '.card.json' if a.base.endswith('.onnx') else a.base + '.card.json'
    if not os.path.exists(base_card_path):
        raise SystemExit(f'{a.base}: no card beside it ({base_card_path}); the recipe of the network is needed to '
                         'fine-tune it')
    base_card = json.load(open(base_card_path))
    data = ReleasingData(a.data)
    model = W.load_model(a.base, base_card, data.columns)
    parity_path = base_card_path[:-len('.card.json')] + '.parity.json'
    if os.path.exists(parity_path):
        W.check_parity(model, json.load(open(parity_path)), a.base)
    return base_card, data, model


def adapt(a, data, model):
    """Fine-tunes every member of the model in place on the training rows; returns (held-out rows, training rows,
    training clips, held-out metrics before, after)."""
    train = np.where(data.real_split == 'train')[0]
    val = np.where(data.real_split == 'val')[0]
    if len(train) == 0 or len(val) == 0:
        raise SystemExit(f'{a.data}: no training or no held-out rows (split train / val in groups.json)')
    ids = np.array([str(g['id']) for g in data.groups])
    train = train[np.argsort(ids[train], kind='stable')]

    phase(f'measuring the base model on {len(np.unique(ids[val]))} held-out clips')
    before = measure(model, data, val)
    members = list(model.model.members) if isinstance(model.model, T.Ensemble) else [model.model]
    flip_maps = T.hflip_maps(data.columns['names'])
    clips = _by_clip(ids, train)
    steps = -(-len(clips) // a.batch) * a.epochs * len(members)
    step = [0]
    for k, member in enumerate(members):
        phase(f'network {k + 1} of {len(members)}: its verdicts kept as targets, then {a.epochs} epochs')
        finetune(member, data, clips, a, np.random.default_rng(a.seed + k), flip_maps, step, steps)
    model.eval()
    phase('measuring the adapted model on the held-out clips')
    return val, train, clips, before, measure(model, data, val)


def adapted_card(a, base_card, data, onnx_path, digest, train, clips, metrics, seconds):
    """The adapted model's card: the base's input contract, outputs, recipe and calibration, what adapting did, and
    the held-out metrics before and after."""
    base_digest = hashlib.sha256(open(a.base, 'rb').read()).hexdigest()
    settings = {'epochs': a.epochs, 'lr': a.lr, 'batch': a.batch, 'verdict_weight': a.verdict_weight,
                'keep_verdict': a.keep_verdict, 'anchor': a.anchor, 'seed': a.seed,
                'optimizer': 'AdamW (weight decay 1e-4), every layer',
                'losses': 'BCE of the arrow (every clip as filmed) + keep_verdict x KL(base verdict || adapted '
                          'verdict) on every row + verdict_weight x cross-entropy of the weak verdicts (weighted per '
                          'row) + anchor x squared distance of the weights from the base model\'s (L2-SP)',
                'train_rows': int(len(train)), 'train_clips': int(len(clips)), 'seconds': seconds,
                'torch': torch.__version__}
    return {
        'name': a.name, 'version': a.version, 'format': 'onnx', 'opset': 17, 'sha256': digest,
        'bytes': os.path.getsize(onnx_path),
        'input': {**base_card['input'], 'analysis_fps': data.columns.get('analysis_fps', [])},
        'outputs': base_card.get('outputs', {}),
        'training': {'recipe': base_card['training']['recipe'],
                     'adapted_from': {'name': base_card.get('name'), 'version': base_card.get('version'),
                                      'sha256': base_digest},
                     'adapt': settings},
        'calibration': base_card.get('calibration'),
        'metrics': metrics,
    }


def main():
    a = parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    t0 = time.time()
    base_card, data, model = load_base(a)
    val, train, clips, before, after = adapt(a, data, model)

    phase('exporting the adapted model')
    os.makedirs(a.out, exist_ok=True)
    onnx_path = os.path.join(a.out, f'{a.name}.onnx')
    Tn, F = data.columns['T'], data.columns['F']
    digest = T.export_onnx(model, onnx_path, Tn, F)
    x, m, _, _ = data.batch(val[:3])
    parity = T.parity_json(model, a.name, digest, Tn, F, x, m)
    json.dump(parity, open(os.path.join(a.out, f'{a.name}.parity.json'), 'w'))
    card = adapted_card(a, base_card, data, onnx_path, digest, train, clips,
                        {'heldout_before': before, 'heldout_after': after}, round(time.time() - t0, 1))
    json.dump(card, open(os.path.join(a.out, f'{a.name}.card.json'), 'w'), indent=1)
    print(json.dumps({'before': before, 'after': after, 'seconds': round(time.time() - t0, 1)}), flush=True)


if __name__ == '__main__':
    main()
