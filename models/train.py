#!/usr/bin/env python3
"""Trains the reversibility classifier on exported cue tensors; writes <name>.onnx, .card.json, .parity.json."""
import argparse
import base64
import hashlib
import json
import os
import time
import warnings
import zlib
from dataclasses import dataclass

# Spinning OpenMP threads collapse throughput when the cores are shared (measured 30 vs 866 samples/s).
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

VERDICTS = ['invariant', 'equivariant', 'irreversible']
OUTPUTS = ['p_forward', 'p_verdict', 'embedding', 'arrow_logit', 'embedding_forward', 'embedding_reversed']


class Data:
    """Exported folders (see src/model/dataset.ts) side by side; X and mask stay memory-mapped."""
    def __init__(self, folders):
        self.parts, self.groups, yv, yf = [], [], [], []
        for folder in folders:
            cols = json.load(open(os.path.join(folder, 'columns.json')))
            if self.parts and (cols['columns_hash'], cols['T']) != (self.columns['columns_hash'], self.columns['T']):
                raise SystemExit(f'{folder}: columns or T differ from {folders[0]}')
            self.columns = cols
            groups = json.load(open(os.path.join(folder, 'groups.json')))
            for g in groups:  # evaluation footage must never reach training
                if 'real-dev' in str(g.get('path') or '').replace('\\', '/').split('/'):
                    raise SystemExit(f'{folder}: row {g["id"]} comes from real-dev, which is evaluation-only')
            self.parts.append((np.load(os.path.join(folder, 'X.npy'), mmap_mode='r'),
                               np.load(os.path.join(folder, 'mask.npy'), mmap_mode='r')))
            self.groups += groups
            yv.append(np.load(os.path.join(folder, 'y_verdict.npy')))
            yf.append(np.load(os.path.join(folder, 'y_forward.npy')))
        self.yv, self.yf = np.concatenate(yv), np.concatenate(yf)
        # exportDataset --windows: row 0 of a clip is its centred window, rows 1.. the whole-clip windows of inference
        self.window = np.array([int(g.get('window', 0)) for g in self.groups], np.int64)
        # Real corpus rows (exportDataset realCorpus): their fixed split (train / val, by source repository) and the
        # weight of their weak verdict label (by its confidence); every other row has no split and weight 1.
        self.real_split = np.array([str(g.get('split', '')) for g in self.groups])
        self.is_real = self.real_split != ''
        self.vweight = np.array([float(g.get('verdict_weight', 1.0)) for g in self.groups], np.float32)
        self.confidence = np.array([str(g.get('confidence', '')) for g in self.groups])
        self.starts = np.cumsum([0] + [len(p[0]) for p in self.parts])

    def batch(self, idx):
        idx = np.sort(idx)
        xs, ms = [], []
        for (X, M), lo, hi in zip(self.parts, self.starts[:-1], self.starts[1:], strict=True):
            k = idx[(idx >= lo) & (idx < hi)] - lo
            if len(k):
                xs.append(np.asarray(X[k]))
                ms.append(np.asarray(M[k]))
        return (torch.from_numpy(np.concatenate(xs)), torch.from_numpy(np.concatenate(ms)),
                torch.from_numpy(self.yv[idx]), torch.from_numpy(self.yf[idx]))


def columns_hash(cols):
    # strict=False: lists of different lengths are hashed as far as both go, as they always were
    text = '\n'.join(f'{n}:{p}' for n, p in zip(cols['names'], cols['parity'], strict=False))
    return hashlib.sha256(text.encode()).hexdigest()


def norm_stats(data, idx, odd, chunk=1024):
    """Per-column mean/std over measured rows of the training split; odd columns get mean 0 (their
    population is symmetric under reversal), so normalisation commutes with the mirror."""
    F = len(odd)
    s, s2, n = np.zeros(F), np.zeros(F), 0.0
    for i in range(0, len(idx), chunk):
        x, m, _, _ = data.batch(idx[i:i + chunk])
        x, m = x.double().numpy(), m.double().numpy()[..., None]
        s += (x * m).sum((0, 1))
        s2 += (x * x * m).sum((0, 1))
        n += m.sum()
    mean = np.where(odd > 0, 0.0, s / max(n, 1))
    var = s2 / max(n, 1) - mean ** 2
    std = np.where(var > 1e-12, np.sqrt(np.maximum(var, 1e-12)), 1.0)
    return mean.astype(np.float32), std.astype(np.float32)


@dataclass(frozen=True)
class NetConfig:
    """The settings of one ReversalNet, named as in the card's training.recipe (the defaults are the class's; the
    command line's differ: --verdict-diff is on there)."""
    width: int = 64  # W: channels of the trunk; g(x) has 2W numbers
    dropout: float = 0.0  # in the trunk, while training only
    verdict_arrow: bool = False  # the verdict head also sees |arrow_logit|
    grid_channels: int = 0  # channels of the spatial 2D CNN over the residual-flow grid (0 = no spatial branch)
    verdict_diff: bool = False  # the verdict head also sees abs(g(x) - g(m(x)))
    flip_match: bool = False  # the verdict head also sees how far the reversed clip is from its left-right mirror
    grid_pool: int = 1  # the grid averaged over k x k blocks of cells (0 = removed, 1 = as is)


class ReversalNet(nn.Module):
    """g(x): normalise, mask, temporal CNN, masked mean+max pool. With m(x) the mirror (flip in time,
    odd columns negated), the outputs are symmetric or antisymmetric BY CONSTRUCTION:
      embedding   = g(x) + g(m(x))                      (same for a clip and its reversal)
      p_verdict   = softmax(V embedding + b)            (= h(x) + h(m(x)), h = V g + b/2)
      arrow_logit = a(g(x)) - a(g(m(x)));  p_forward = sigmoid(arrow_logit)  (p(m(x)) = 1 - p(x))
      embedding_forward = g(x), embedding_reversed = g(m(x))  (swapped under mirroring)
    F columns, odd their parities (1 = odd), mean and std the normalisation; grid the residual-flow grid's layout
    (grid_layout) and flip_maps the left-right mirror (hflip_maps; given, the model averages over it at test time)."""
    def __init__(self, F, odd, mean, std, config=None, *, grid=None, flip_maps=None):
        super().__init__()
        c = config or NetConfig()
        width, dropout, grid_pool, flip_match = c.width, c.dropout, c.grid_pool, c.flip_match
        # Ablation: the residual-flow grid averaged over k x k blocks of cells (k = grid_pool) or removed (0), in the
        # graph, so the exported model sees what training saw. All grid columns are odd and k divides the side, so
        # the time and left-right mirrors commute with it.
        self.grid_pool = grid_pool != 1
        if self.grid_pool:
            if grid is None:
                raise ValueError('--grid-pool: the columns have no grid_u_*/grid_v_* cells')
            self.register_buffer('pool', torch.from_numpy(grid_pool_matrix(F, grid, grid_pool)))
        self.flip_average = flip_maps is not None
        self.flip_match = flip_match
        if flip_match and flip_maps is None:
            raise ValueError('flip_match needs the left-right flip maps')
        if flip_maps is not None:
            for name, t in zip(('flip_perm', 'flip_sign', 'flip_one'), flip_maps, strict=True):
                self.register_buffer(name, t)
        self.register_buffer('sign', torch.from_numpy(1 - 2 * odd.astype(np.float32)))
        self.register_buffer('mean', torch.from_numpy(mean))
        self.register_buffer('inv_std', torch.from_numpy(1 / std))
        W, C = width, c.grid_channels
        # Optional spatial branch: the residual-flow grid of each row (2 x G x G) through a small 2D CNN with shared
        # weights, so that *where* things move (a body landing on the floor, a stream reaching a pool) is learnt once
        # for every position instead of per column. Its output joins the per-row cue channels.
        self.grid_side = 0
        extra = 0
        if C > 0 and grid is not None:
            self.grid_side = grid[1]
            self.register_buffer('grid_index', torch.from_numpy(grid[0]))
            self.spatial = nn.Sequential(
                nn.Conv2d(2, C, 3, padding=1), nn.ReLU(),
                nn.Conv2d(C, 2 * C, 3, padding=1, stride=2), nn.ReLU(),   # G/2
                # G/4: coarse layout kept (top/bottom/sides)
                nn.Conv2d(2 * C, 2 * C, 3, padding=1, stride=2), nn.ReLU())
            extra = 2 * C * (-(-grid[1] // 4)) ** 2
        # Dropout (training only; the exported graph has none, so the mirror properties hold exactly).
        self.trunk = nn.Sequential(
            # per-row mixing of the cues (+ the mask channel)
            nn.Conv1d(F + 1 + extra, W, 1), nn.ReLU(), nn.Dropout(dropout),
            nn.Conv1d(W, W, 5, padding=2), nn.ReLU(), nn.Dropout(dropout),
            nn.Conv1d(W, W, 5, padding=4, dilation=2), nn.ReLU(), nn.Dropout(dropout),
            nn.Conv1d(W, W, 5, padding=8, dilation=4), nn.ReLU())  # receptive field 29 rows (1.2 s at 24 fps)
        # Optional: the verdict also sees abs(g(x) - g(m(x))), how different the clip looks played backwards
        # (mirror-invariant: mirroring swaps the two halves). Small for invariant motion, whatever the family.
        self.verdict_diff = c.verdict_diff
        # Optional: the verdict also sees how far the clip played backwards is from the clip mirrored left-right,
        # abs(g(m(x)) - g(h(x))) + abs(g(x) - g(m(h(x)))) (invariant under both mirrors: each swaps the two terms).
        # Physics is left-right symmetric, so a clip whose reversal looks like its mirror image (a wheel spinning,
        # a swing, a carry to the left) reverses into something plausible, whatever the family.
        self.verdict = nn.Linear((2 + 2 * c.verdict_diff + 2 * flip_match) * W, 3)
        # Optional: the verdict also sees |arrow_logit| (mirror-invariant): how well the clip's direction can be told.
        self.arrow_to_verdict = nn.Parameter(torch.zeros(3)) if c.verdict_arrow else None
        self.arrow = nn.Sequential(nn.Linear(2 * W, W), nn.ReLU(), nn.Linear(W, 1))

    def g(self, x, mask):
        if self.grid_pool:
            x = x @ self.pool
        z = ((x - self.mean) * self.inv_std).clamp(-10, 10) * mask.unsqueeze(-1)
        parts = [z, mask.unsqueeze(-1)]
        if self.grid_side:
            B, T, G = z.shape[0], z.shape[1], self.grid_side
            cells = z.index_select(2, self.grid_index).reshape(B * T, 2, G, G)
            parts.append(self.spatial(cells).reshape(B, T, -1) * mask.unsqueeze(-1))
        h = self.trunk(torch.cat(parts, -1).transpose(1, 2))
        m = mask.unsqueeze(1)
        avg = (h * m).sum(-1) / m.sum(-1).clamp(min=1)
        top = (h - (1 - m) * 1e4).amax(-1)  # padding never wins the max
        return torch.cat([avg, top], 1)

    def pair(self, x, mask):
        """g(x) and g(m(x)): the clip as played and reversed."""
        return self.g(x, mask), self.g(torch.flip(x, [1]) * self.sign, torch.flip(mask, [1]))

    def hflip_input(self, x, mask):
        return x[..., self.flip_perm] * self.flip_sign + self.flip_one * mask.unsqueeze(-1)

    def one_view(self, g, gm, match):
        emb = g + gm
        arrow_logit = (self.arrow(g) - self.arrow(gm)).squeeze(1)
        return self.verdict_logits(emb, arrow_logit, g, gm, match), emb, arrow_logit, g, gm

    def outputs(self, x, mask):
        """(verdict logits, embedding, arrow_logit, g(x), g(m(x)))."""
        g, gm = self.pair(x, mask)
        average = self.flip_average and not self.training
        gh = gmh = match = None
        if average or self.flip_match:
            gh, gmh = self.pair(self.hflip_input(x, mask), mask)
        if self.flip_match:
            match = (gm - gh).abs() + (g - gmh).abs()
        views = [self.one_view(g, gm, match)]
        if average:
            # Test-time average over the clip and its left-right mirror (flipping commutes with the time mirror,
            # so the symmetries hold); training sees random flips instead.
            views.append(self.one_view(gh, gmh, match))
        return tuple(sum(v[k] for v in views) / len(views) for k in range(5))

    def forward(self, x, mask):
        logits, emb, arrow_logit, g, gm = self.outputs(x, mask)
        # g(x) and g(m(x)) too: directional embeddings of the clip as played and reversed, for the class-level
        # analysis (which forward class does a reversed clip of class A resemble?); their sum is `embedding`.
        return torch.sigmoid(arrow_logit), torch.softmax(logits, 1), emb, arrow_logit, g, gm

    def verdict_logits(self, emb, arrow_logit, g, gm, match=None):
        parts = [emb] + ([(g - gm).abs()] if self.verdict_diff else []) + ([match] if self.flip_match else [])
        logits = self.verdict(torch.cat(parts, 1))
        if self.arrow_to_verdict is not None:
            logits = logits + self.arrow_to_verdict * arrow_logit.abs().unsqueeze(1)
        return logits


class Ensemble(nn.Module):
    """Networks trained from different seeds, with the outputs of one: verdict probabilities, arrow logits and
    embeddings are averaged. Each member keeps the mirror properties, so their average does too."""
    def __init__(self, members):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x, mask):
        outs = [m(x, mask) for m in self.members]
        avg = lambda k: sum(o[k] for o in outs) / len(outs)  # noqa: E731
        arrow_logit = avg(3)
        return torch.sigmoid(arrow_logit), avg(1), avg(2), arrow_logit, avg(4), avg(5)


class Tempered(nn.Module):
    """The verdict probabilities tempered after everything else: softmax(log(p) / T). T > 1 softens an overconfident
    model; the argmax (the verdict) and every mirror property are unchanged, and so are the other outputs. With an
    arrow temperature Ta too, arrow_logit / Ta and p_forward = sigmoid(arrow_logit / Ta): the sign of the arrow (and so
    which way it points) and the antisymmetry are unchanged; only how sure it is."""
    def __init__(self, model, temperature, arrow_temperature=1.0):
        super().__init__()
        self.model = model
        self.register_buffer('temperature', torch.tensor(float(temperature)))
        self.register_buffer('arrow_temperature', torch.tensor(float(arrow_temperature)))

    def forward(self, x, mask):
        out = list(self.model(x, mask))
        out[1] = torch.softmax(torch.log(out[1].clamp(min=1e-12)) / self.temperature, 1)
        out[3] = out[3] / self.arrow_temperature
        out[0] = torch.sigmoid(out[3])
        return tuple(out)


def fit_arrow_temperature(arrow_logit, yv):
    """The temperature in [0.5, 50] (log grid) that minimises the BCE of sigmoid(arrow_logit / Ta) against the arrow
    targets of forward clips by definition: 1 for irreversible and unlabelled clips, 0.5 for invariant and equivariant
    ones (reversed, they are plausible: no knowable arrow). An arrow that is right no more often than chance gets a
    large Ta, so p_forward stays near 0.5 instead of pointing confidently at random."""
    target = np.where((yv == 0) | (yv == 1), 0.5, 1.0)
    def bce(ta):
        p = np.clip(1 / (1 + np.exp(-arrow_logit / ta)), 1e-9, 1 - 1e-9)
        return float(-(target * np.log(p) + (1 - target) * np.log(1 - p)).mean())
    grid = np.exp(np.linspace(np.log(0.5), np.log(50), 301))
    losses = [bce(t) for t in grid]
    best = float(grid[int(np.argmin(losses))])
    return best, {'bce_before': bce(1.0), 'bce_after': bce(best)}


def calibration_stats(pv, y, temperature=1.0, bins=10):
    """NLL and expected calibration error (the definition of src/model/metrics.ts) of verdict probabilities pv
    [N x 3] against labels y, after tempering with `temperature`."""
    z = np.log(np.clip(pv, 1e-12, 1)) / temperature
    z = z - z.max(1, keepdims=True)
    q = np.exp(z)
    q /= q.sum(1, keepdims=True)
    nll = float(-np.log(np.clip(q[np.arange(len(y)), y], 1e-12, 1)).mean())
    conf, right = q.max(1), (q.argmax(1) == y)
    b = np.minimum((conf * bins).astype(int), bins - 1)
    ece = sum(abs(right[b == k].sum() - conf[b == k].sum()) for k in range(bins)) / len(y)
    return {'nll': nll, 'ece': float(ece), 'mean_confidence': float(conf.mean()), 'accuracy': float(right.mean())}


def fit_temperature(pv, y):
    """The temperature in [0.5, 20] (log grid) that minimises the NLL of the tempered probabilities."""
    grid = np.exp(np.linspace(np.log(0.5), np.log(20), 241))
    return float(grid[int(np.argmin([calibration_stats(pv, y, t)['nll'] for t in grid]))])


def set_flip_average(model, on):
    for m in (model.members if isinstance(model, Ensemble) else [model]):
        m.flip_average = on


def grid_layout(names):
    """Column indices of the residual-flow grid as [u cells row-major, v cells row-major] and its side G,
    or None when the columns have no grid."""
    u = sorted((tuple(map(int, n.split('_')[2:])), i) for i, n in enumerate(names) if n.startswith('grid_u_'))
    v = sorted((tuple(map(int, n.split('_')[2:])), i) for i, n in enumerate(names) if n.startswith('grid_v_'))
    G = int(round(len(u) ** 0.5))
    if not u or G * G != len(u) or len(v) != len(u):
        return None
    return np.array([i for _, i in u] + [i for _, i in v], np.int64), G


def grid_pool_matrix(F, grid, k):
    """F x F matrix P with x @ P = x with each grid component averaged over k x k blocks of cells (k = 0: zeroed)."""
    index, G = grid
    if k != 0 and (k < 1 or G % k):
        raise ValueError(f'--grid-pool {k}: expected 0 or a divisor of the grid side {G}')
    P = np.eye(F, dtype=np.float32)
    r, c = np.divmod(np.arange(G * G), G)
    block = (r // max(k, 1)) * G + c // max(k, 1)
    share = (block[:, None] == block[None, :]) / float(k * k) if k else np.zeros((G * G, G * G))
    for comp in range(2):
        cols = index[comp * G * G:(comp + 1) * G * G]
        P[np.ix_(cols, cols)] = share
    return P


# Left-right mirror of a clip's cues (the same physics: gravity is untouched). Columns not listed are unchanged.
HFLIP_NEGATE = {'cam_tx', 'cam_rot', 'res_vx', 'res_ax', 'res_curl'}
HFLIP_ONE_MINUS = {'res_cx'}  # a position in [0, 1] from the left edge


def hflip_maps(names):
    """(permutation, sign, one_minus) so that hflip(x) = x[..., perm] * sign + one_minus * mask."""
    idx = {n: i for i, n in enumerate(names)}
    perm = np.arange(len(names))
    sign = np.ones(len(names), np.float32)
    one = np.zeros(len(names), np.float32)
    layout = grid_layout(names)
    G = layout[1] if layout else 0
    for i, n in enumerate(names):
        if n.startswith(('grid_u_', 'grid_v_')):
            r, c = map(int, n.split('_')[2:])
            perm[i] = idx[f'{n[:7]}{r}_{G - 1 - c}']
            if n.startswith('grid_u_'):
                sign[i] = -1
        elif n in HFLIP_NEGATE:
            sign[i] = -1
        elif n in HFLIP_ONE_MINUS:
            sign[i] = -1
            one[i] = 1
    return torch.from_numpy(perm), torch.from_numpy(sign), torch.from_numpy(one)


def hflip(x, m, maps, pick):
    """Mirror the rows `pick` (bool [B]) left-right; padding (mask 0) stays 0, half rows stay half."""
    perm, sign, one = maps
    flipped = x[..., perm] * sign + one * m.unsqueeze(-1)
    return torch.where(pick[:, None, None], flipped, x)


def split(data, holdout_families, frac, split_seed, exclude_families=()):
    """(train, held-out families, held-out seeds, real validation) row indices. Real corpus rows keep the split fixed in
    their groups.json rows (by source repository); the seed hash only splits the synthetic and unlabelled rows."""
    fam = np.array([g['family'] for g in data.groups])
    real = data.is_real
    seed_test = ~real & np.array([(zlib.crc32(f'{split_seed}:{g["seed"]}'.encode()) % 10000) < frac * 10000
                                  for g in data.groups], bool)
    fam_test = np.isin(fam, list(holdout_families))
    # excluded rows are in no split (validation runs keep the test families unseen)
    keep = ~np.isin(fam, list(exclude_families))
    real_val = real & (data.real_split == 'val')
    return (np.where(keep & ~fam_test & ~seed_test & ~real_val)[0], np.where(keep & fam_test)[0],
            np.where(keep & ~fam_test & seed_test)[0], np.where(keep & real_val)[0])


def predict(model, data, idx, bs=256):
    """p_forward, p_verdict and arrow_logit of rows idx (in that order)."""
    out = [[], [], []]
    with torch.no_grad():
        for i in range(0, len(idx), bs):
            x, m, _, _ = data.batch(idx[i:i + bs])
            o = model(x, m)
            out[0].append(o[0].numpy())
            out[1].append(o[1].numpy())
            out[2].append(o[3].numpy())
    return ((np.concatenate(out[0]) if out[0] else np.zeros(0)),
            (np.concatenate(out[1]) if out[1] else np.zeros((0, 3))),
            (np.concatenate(out[2]) if out[2] else np.zeros(0)))


def score(pf, pv, yv, yf):
    res = {'n': int(len(yv))}
    k = yv >= 0
    if k.any():
        pred, true = pv[k].argmax(1), yv[k]
        conf = np.zeros((3, 3), int)
        np.add.at(conf, (true, pred), 1)
        f1 = [2 * conf[c, c] / max(conf[c].sum() + conf[:, c].sum(), 1) for c in range(3)]
        res.update(accuracy=float((pred == true).mean()), macro_f1=float(np.mean(f1)), confusion=conf.tolist(),
                   ece=calibration_stats(pv[k], true)['ece'])
    k = yf >= 0
    if k.any():
        res['arrow_accuracy'] = float(((pf[k] > 0.5) == (yf[k] == 1)).mean())
        for name, k2 in (('arrow_accuracy_irreversible', k & (yv == 2)), ('arrow_accuracy_unlabelled', k & (yv < 0))):
            if k2.any():
                res[name] = float(((pf[k2] > 0.5) == (yf[k2] == 1)).mean())
    return res


def judged_rows(data, idx):
    """The rows of idx that inference averages, one array per clip in order of first appearance (src/model/onnx.ts
    mergeWindows, src/model/dataset.ts judgedRows): those marked `judged`, failing those the whole-clip windows (rows
    with window >= 1), failing those the rows given."""
    clips = {}
    for i in np.sort(idx):
        clips.setdefault(data.groups[i]['id'], []).append(i)
    out = []
    for rows in clips.values():
        use = [i for i in rows if data.groups[i].get('judged')] or [i for i in rows if data.window[i] >= 1] or rows
        out.append(np.array(use, np.int64))
    return out


class Predictions:
    """The model's outputs for rows idx, computed in one pass; any subset of them is then scored without running the
    model again: row by row (`rows`), or per clip as inference judges it (`clips`)."""
    def __init__(self, model, data, idx):
        self.data, self.idx = data, np.unique(idx)
        self.pf, self.pv, self.al = predict(model, data, self.idx)

    def _at(self, idx):
        idx = np.sort(idx)
        return idx, np.searchsorted(self.idx, idx)

    def rows(self, idx):
        """Row by row (the centred window of each clip, when given only those)."""
        idx, j = self._at(idx)
        return score(self.pf[j], self.pv[j], self.data.yv[idx], self.data.yf[idx])

    def whole(self, idx):
        """Per clip, as inference judges it: verdict probabilities and arrow logits averaged over its judged_rows.
        Returns (p_forward, p_verdict, y_verdict, y_forward, family, first row index) with one entry per clip."""
        data = self.data
        P, L, first = [], [], []
        for use in judged_rows(data, idx):
            js = np.searchsorted(self.idx, use)
            P.append(self.pv[js].mean(0))
            L.append(self.al[js].mean())
            first.append(use[0])
        first = np.array(first, np.int64)
        fam = np.array([data.groups[i]['family'] for i in first])
        return 1 / (1 + np.exp(-np.array(L))), np.array(P).reshape(-1, 3), data.yv[first], data.yf[first], fam, first

    def real(self, idx):
        """Whole-clip scores of real corpus rows idx against their weak labels: arrow accuracy over every clip and over
        the weak-irreversible ones (each clip is a forward example; its reversal is the exact mirror, so both halves
        score alike), mean abs(p_forward - 0.5) per weak verdict, and the verdict (confusion, macro-F1, ECE) on the
        labels of confidence high and medium, and on all labels."""
        if len(idx) == 0:
            return None
        pf, pv, yv, yf, _, first = self.whole(idx)
        conf = self.data.confidence[first]
        right = (pf > 0.5) == (yf == 1)
        sure = (yv >= 0) & (conf != 'low')
        res = {'clips': int(len(first)), 'groups': len({self.data.groups[i].get('group') for i in first}),
               'repositories': len({self.data.groups[i].get('repo') for i in first}),
               'arrow_accuracy': float(right.mean()),
               'arrow_accuracy_irreversible': float(right[yv == 2].mean()) if (yv == 2).any() else None,
               'mean_abs_p_forward_minus_half': {VERDICTS[v]: float(np.abs(pf[yv == v] - 0.5).mean())
                                                 for v in range(3) if (yv == v).any()},
               'verdict_high_medium': score(pf[sure], pv[sure], yv[sure], yf[sure]),
               'verdict_all_labels': score(pf[yv >= 0], pv[yv >= 0], yv[yv >= 0], yf[yv >= 0])}
        return res

    def clips(self, idx, families=()):
        """Whole-clip scores of rows idx, overall and for each of `families`."""
        pf, pv, yv, yf, fam, _ = self.whole(idx)
        return score(pf, pv, yv, yf), {f: score(pf[fam == f], pv[fam == f], yv[fam == f], yf[fam == f])
                                       for f in families}


def group_dro_loss(data, train, eta):
    """Group DRO over scene families (Sagawa et al. 2020) as a verdict loss(logits, yv, batch rows): the families the
    net does worst on weigh more (weights follow exp(eta * family loss)), so none is left behind while the rest fit."""
    fams = sorted({data.groups[i]['family'] for i in train if data.yv[i] >= 0})
    index = {f: k for k, f in enumerate(fams)}
    fam_of_row = np.array([index.get(g['family'], -1) for g in data.groups], np.int64)
    q = torch.full((len(fams),), 1 / len(fams))
    ce_rows = nn.CrossEntropyLoss(ignore_index=-1, reduction='none')

    def loss(logits, yv, batch):
        rows, fam, lab = ce_rows(logits, yv), torch.from_numpy(fam_of_row[batch]), yv >= 0
        present = torch.unique(fam[lab])
        if len(present) == 0:
            return rows.sum() * 0
        per = torch.stack([rows[lab & (fam == g)].mean() for g in present])
        q[present] *= torch.exp(eta * per.detach())
        q.div_(q.sum())
        return (q[present] / q[present].sum() * per).sum()
    return loss


def fit(model, a, data, train, flip_maps, rng):
    """Trains one network in place; returns the number of samples seen."""
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.weight_decay)
    steps = a.epochs * max(1, -(-len(train) // a.batch))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps)
    weight = None
    if a.class_balance:  # each verdict weighs the same in the loss, however many training rows it has
        counts = np.bincount(data.yv[train][data.yv[train] >= 0], minlength=3).astype(np.float64)
        weight = torch.tensor(counts.sum() / (3 * np.maximum(counts, 1)), dtype=torch.float32)
    ce = nn.CrossEntropyLoss(weight=weight, ignore_index=-1, reduction='none', label_smoothing=a.label_smoothing)
    bce = nn.BCEWithLogitsLoss(reduction='none')
    real = torch.from_numpy(data.is_real)
    # Real corpus rows weigh --real-weight in both losses; a row's verdict also weighs its label's confidence weight (1
    # for synthetic rows). Each loss is summed and divided by the number of rows it applies to in the batch.
    real_factor = torch.from_numpy(np.where(data.is_real, a.real_weight, 1.0).astype(np.float32))
    row_weight = torch.from_numpy(data.vweight) * real_factor
    verdict_loss = lambda logits, yv, batch: (ce(logits, yv) * row_weight[batch]).sum() / max(int((yv >= 0).sum()), 1)  # noqa: E731
    if a.group_dro > 0:
        verdict_loss = group_dro_loss(data, train, a.group_dro)
    seen = 0
    for epoch in range(a.epochs):
        model.train()
        order, total = rng.permutation(train), 0.0
        for i in range(0, len(order), a.batch):
            batch = np.sort(order[i:i + a.batch])
            x, m, yv, yf = data.batch(batch)
            if a.hflip > 0:
                x = hflip(x, m, flip_maps, torch.from_numpy(rng.random(len(yv)) < a.hflip))
            logits, _, arrow_logit, _, _ = model.outputs(x, m)
            known = yf >= 0
            # Mirroring a clip would add nothing: both losses are already mirror-invariant by construction.
            loss = verdict_loss(logits, yv, batch)
            if known.any():
                target = yf.float()
                if a.arrow_targets == 'definition':
                    # Asking for the direction of a pendulum swing or of an opening/closing teaches the net to
                    # memorise incidental cues and to be confidently wrong on real footage.
                    reversible = (yv == 0) | (yv == 1)
                    if a.real_arrow == 'all':  # real clips keep their filmed direction as the target
                        reversible = reversible & ~real[batch]
                    target = torch.where(reversible, torch.full_like(target, 0.5), target)
                arrow_loss = (bce(arrow_logit, target) * real_factor[batch])[known].sum() / int(known.sum())
                loss = loss + a.arrow_weight * arrow_loss
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(yv)
            seen += len(yv)
        print(f'epoch {epoch + 1}/{a.epochs} loss {total / max(len(order), 1):.4f}', flush=True)
    return seen


def add_data_args(ap):
    """Data, split and output options, and the optimiser's."""
    ap.add_argument('--data', required=True, nargs='+', help='exported folders (exportDataset): the labelled corpus, '
                    'optionally unlabelled real clips (arrow-of-time examples only); never real-dev')
    ap.add_argument('--holdout-families', required=True, help='comma list; at least one family per verdict')
    ap.add_argument('--holdout-seed-frac', type=float, default=0.15,
                    help='share of clip seeds (twins together) held out')
    ap.add_argument('--out', default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument('--name', default='reversal')
    ap.add_argument('--version', default='0.1.0')
    ap.add_argument('--epochs', type=int, default=30)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--width', type=int, default=64)
    ap.add_argument('--arrow-weight', type=float, default=1.0)
    ap.add_argument('--dropout', type=float, default=0.0, help='dropout in the trunk while training')
    ap.add_argument('--verdict-arrow', action='store_true', help='let the verdict head see |arrow_logit| too')
    ap.add_argument('--weight-decay', type=float, default=1e-4)
    ap.add_argument('--exclude-families', default='', help='comma list of families left out of every split '
                    '(for choosing settings on validation families while the test families stay unseen)')
    ap.add_argument('--arrow-targets', choices=['definition', 'all'], default='definition',
                    help="definition: only irreversible (and unlabelled real) clips have a knowable arrow; invariant "
                         "and equivariant clips get target 0.5 (reversed, they are plausible too). all: every clip's "
                         "true direction")
    ap.add_argument('--real-arrow', choices=['definition', 'all'], default='definition',
                    help="real corpus rows' arrow target: definition (weak invariant and equivariant clips get 0.5, "
                         "as --arrow-targets definition does for synthetic ones) or all (every real clip's filmed "
                         "direction)")
    ap.add_argument('--real-weight', type=float, default=1.0,
                    help='weight of real corpus rows in both losses, relative to synthetic and unlabelled rows')


def add_model_args(ap):
    """Network, augmentation, calibration and run options."""
    ap.add_argument('--grid-channels', type=int, default=0,
                    help='channels of the spatial 2D CNN over the residual-flow grid of each row (0 = no spatial '
                         'branch)')
    ap.add_argument('--hflip', type=float, default=0.5,
                    help='share of training rows mirrored left-right each batch (same physics, so same labels); '
                         '0 = off')
    ap.add_argument('--flip-average', action=argparse.BooleanOptionalAction, default=True,
                    help='the exported model averages each clip with its left-right mirror (test-time augmentation)')
    ap.add_argument('--verdict-diff', action=argparse.BooleanOptionalAction, default=True,
                    help='let the verdict head see abs(g(x) - g(m(x))) too: how different the clip looks reversed')
    ap.add_argument('--flip-match', action=argparse.BooleanOptionalAction, default=False,
                    help='let the verdict head see how far the reversed clip is from the clip mirrored left-right '
                         '(twice the network evaluations in training)')
    ap.add_argument('--class-balance', action=argparse.BooleanOptionalAction, default=False,
                    help='weight the verdict loss by inverse class frequency in the training split')
    ap.add_argument('--calibrate-on', choices=['auto', 'real_val', 'heldout_families', 'heldout_seeds', 'none'],
                    default='auto',
                    help='split on which the verdict temperature is fitted (none: no tempering; auto: the real '
                         'validation split when the data has labelled real corpus rows, else the held-out families)')
    ap.add_argument('--calibrate-arrow', action=argparse.BooleanOptionalAction, default=True,
                    help='with --calibrate-on real_val: also fit an arrow temperature there (how sure p_forward may '
                         'be)')
    ap.add_argument('--train-windows', choices=['centre', 'all'], default='centre',
                    help='train on the centred window of each clip, or on all its exported windows (exportDataset '
                         'windows > 1)')
    ap.add_argument('--group-dro', type=float, default=0.0,
                    help='step size of group DRO over scene families for the verdict loss (0 = plain average)')
    ap.add_argument('--grid-pool', type=int, default=1,
                    help='ablation: average the residual-flow grid over k x k blocks of cells (0 = remove it; 1 = as '
                         'is)')
    ap.add_argument('--label-smoothing', type=float, default=0.0, help='label smoothing of the verdict cross-entropy')
    ap.add_argument('--ensemble', type=int, default=1,
                    help='networks trained with seeds seed..seed+K-1 and averaged in one graph (K times the training '
                         'time)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1, help='torch threads; 1 beat 2 on a busy 2-core machine')
    ap.add_argument('--parity-samples', type=int, default=3)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    add_data_args(ap)
    add_model_args(ap)
    a = ap.parse_args(argv)
    if a.ensemble < 1:
        raise SystemExit(f'--ensemble: expected a positive integer, got {a.ensemble}')
    return a


def net_config(a):
    """The NetConfig of the command line's options."""
    return NetConfig(width=a.width, dropout=a.dropout, verdict_arrow=a.verdict_arrow, grid_channels=a.grid_channels,
                     verdict_diff=a.verdict_diff, flip_match=a.flip_match, grid_pool=a.grid_pool)


@dataclass
class Splits:
    """Row indices of each split (see split()). The *_all sets hold every exported window of a clip; fam and seed only
    the centred windows (row metrics); train is in id order, centred windows unless --train-windows all."""
    held: list  # the held-out families
    excluded: list  # families in no split
    train: np.ndarray
    fam_all: np.ndarray  # held-out families
    seed_all: np.ndarray  # held-out seeds
    real_val_all: np.ndarray  # the real corpus validation split
    fam: np.ndarray
    seed: np.ndarray
    has_windows: bool  # the tensors hold whole-clip windows (rows with window >= 1)

    @property
    def test(self):
        return np.concatenate([self.fam, self.seed])


def centre(data, idx):
    """The rows of idx that are centred windows (window 0)."""
    return idx[data.window[idx] == 0]


def load_data(a):
    """The exported tensors, with their column hash and the hold-out families checked."""
    data = Data(a.data)
    cols = data.columns
    if columns_hash(cols) != cols['columns_hash']:
        raise SystemExit('columns.json: the column hash does not match its names and parities')
    held = [f for f in a.holdout_families.split(',') if f]
    # strict=False: as they always were, only the rows both groups.json and y_verdict.npy have are looked at
    fam_verdict = {g['family']: int(v) for g, v in zip(data.groups, data.yv, strict=False)
                   if v >= 0 and g['family'] != 'real'}
    missing = [f for f in held if f not in fam_verdict]
    if missing:
        raise SystemExit(f'unknown hold-out families: {missing}; known: {sorted(fam_verdict)}')
    uncovered = [v for i, v in enumerate(VERDICTS) if i not in {fam_verdict[f] for f in held}]
    if uncovered:
        raise SystemExit(f'hold out at least one family per verdict; none for {uncovered}')
    return data, held


def make_splits(a, data, held):
    excluded = [f for f in a.exclude_families.split(',') if f]
    train, fam_all, seed_all, real_val_all = split(data, held, a.holdout_seed_frac, a.seed, excluded)
    # Row metrics stay on the centred windows (comparable with tensors exported without --windows); `whole_clip`
    # metrics judge each clip as inference does.
    if a.train_windows == 'centre':
        train = centre(data, train)
    # Shuffle in id order, not file order: a resumed or parallel scan writes rows in completion order, and the
    # same clips and seed should give the same batches whichever order the scan finished them in.
    ids = np.array([str(g['id']) for g in data.groups])
    train = train[np.argsort(ids[train], kind='stable')]
    return Splits(held=held, excluded=excluded, train=train, fam_all=fam_all, seed_all=seed_all,
                  real_val_all=real_val_all, fam=centre(data, fam_all), seed=centre(data, seed_all),
                  has_windows=bool((data.window > 0).any()))


def train_model(a, data, s, rng):
    """The untempered model: one network, or the ensemble of --ensemble networks (member k seeded with seed + k)."""
    cols = data.columns
    odd = np.array([p == 'odd' for p in cols['parity']], np.float32)
    mean, std = norm_stats(data, s.train, odd)
    layout = grid_layout(cols['names'])
    if a.grid_channels and not layout:
        raise SystemExit('--grid-channels: the columns have no grid_u_*/grid_v_* cells')
    flip_maps = hflip_maps(cols['names'])
    members, t0, seen = [], time.time(), 0
    for k in range(a.ensemble):
        # member k: torch and shuffling seeded with seed + k (member 0 is exactly the single model of --ensemble 1)
        torch.manual_seed(a.seed + k)
        member = ReversalNet(cols['F'], odd, mean, std, net_config(a), grid=layout,
                             flip_maps=flip_maps if a.flip_average or a.flip_match else None)
        member.flip_average = a.flip_average
        if a.ensemble > 1:
            print(f'member {k + 1}/{a.ensemble}', flush=True)
        seen += fit(member, a, data, s.train, flip_maps, rng if k == 0 else np.random.default_rng(a.seed + k))
        members.append(member.eval())
    rate = seen / max(time.time() - t0, 1e-9)
    print(f'training: {seen} samples in {time.time() - t0:.1f} s = {rate:.0f} samples/s ({a.threads} threads)')
    return (members[0] if a.ensemble == 1 else Ensemble(members)).eval()


def calibrate(a, data, s, model):
    """(the model to ship, the card's calibration): the model tempered (Tempered) with temperatures fitted on the
    --calibrate-on split, or as it is (and None) with --calibrate-on none."""
    calibrate_on = a.calibrate_on
    if calibrate_on == 'auto':
        calibrate_on = 'real_val' if (data.yv[s.real_val_all] >= 0).any() else 'heldout_families'
    if calibrate_on == 'none':
        return model, None
    # Overconfidence shows under a shift of the data, so the temperature is fitted where the net meets footage it
    # never trained on: the real validation split (real sources it never saw) when there is one, else held-out
    # synthetic families; never on real-dev.
    cal_all = {'heldout_families': s.fam_all, 'heldout_seeds': s.seed_all, 'real_val': s.real_val_all}[calibrate_on]
    cal = cal_all[data.yv[cal_all] >= 0]
    if len(cal) == 0:
        raise SystemExit(f'--calibrate-on {calibrate_on}: no labelled rows there')
    fitting = Predictions(model, data, cal_all)  # one pass: the verdict and the arrow temperatures both come from it
    _, pv, yv, _, _, _ = fitting.whole(cal)  # the probabilities users get: whole clips
    t = fit_temperature(pv, yv)
    calibration = {'verdict_temperature': t, 'fitted_on': calibrate_on, 'n': int(len(yv)),
                   'method': 'p_verdict = softmax(log(p) / T) in the graph, after the ensemble and flip averages; '
                             'T minimises the NLL on the fitting split (log grid 0.5-20; whole clips when the tensors '
                             'hold their windows); the argmax is unchanged',
                   'fitting_split_before': calibration_stats(pv, yv),
                   'fitting_split_after': calibration_stats(pv, yv, t)}
    arrow_t = 1.0
    if calibrate_on == 'real_val' and a.calibrate_arrow:
        # The arrow too: fitted on every real validation clip (forwards as filmed), whole clips.
        pf_all, _, yv_all, _, _, _ = fitting.whole(s.real_val_all)
        logit = np.log(np.clip(pf_all, 1e-12, 1)) - np.log(np.clip(1 - pf_all, 1e-12, 1))
        arrow_t, arrow_fit = fit_arrow_temperature(logit, yv_all)
        calibration.update({'arrow_temperature': arrow_t, 'arrow_n': int(len(yv_all)),
                            'arrow_method': 'arrow_logit / Ta and p_forward = sigmoid(arrow_logit / Ta) in the graph; '
                                            'Ta minimises the BCE on the real validation clips against target 1 (weak '
                                            'irreversible, unclear) or 0.5 (weak invariant, equivariant); the '
                                            'direction p_forward points is unchanged',
                            'arrow_fitting_split': arrow_fit})
    return Tempered(model, t, arrow_t).eval(), calibration


def export_onnx(model, path, T, F):
    """Writes the model as ONNX (opset 17, dynamic batch axis) and returns the file's sha256."""
    axes = {'x': {0: 'batch'}, 'mask': {0: 'batch'}, **{o: {0: 'batch'} for o in OUTPUTS}}
    warnings.filterwarnings('ignore', message='The shape inference of prim::Constant')
    torch.onnx.export(model, (torch.zeros(2, T, F), torch.ones(2, T)), path, opset_version=17,
                      input_names=['x', 'mask'], output_names=OUTPUTS, dynamic_axes=axes)
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def parity_json(model, name, digest, T, F, x, m):
    """The parity file's contents: inputs x [n, T, F] and m [n, T] (base64 float32) and the model's outputs on them."""
    with torch.no_grad():
        outs = model(x, m)

    def b64(t):
        return base64.b64encode(t.numpy().astype('<f4').tobytes()).decode()
    return {'model': f'{name}.onnx', 'sha256': digest, 'T': T, 'F': F,
            'encoding': 'base64 float32 little-endian',
            'samples': [{'x': b64(x[i]), 'mask': b64(m[i]), **{o: outs[j][i].tolist() for j, o in enumerate(OUTPUTS)}}
                        for i in range(len(x))]}


def write_parity(a, data, s, model, digest):
    """<name>.parity.json: --parity-samples held-out rows of different lengths, with the model's outputs."""
    pool = np.sort(s.test if len(s.test) else s.train)[:256]
    _, first = np.unique(data.batch(pool)[1].sum(1).numpy(), return_index=True)  # windows of different lengths
    pick = pool[np.sort(first)[:a.parity_samples]]
    x, m, _, _ = data.batch(pick)
    T, F = data.columns['T'], data.columns['F']
    json.dump(parity_json(model, a.name, digest, T, F, x, m), open(os.path.join(a.out, f'{a.name}.parity.json'), 'w'))


def card_training(a, s):
    """The card's training section: the recipe, seeds, split and data."""
    recipe = {'epochs': a.epochs, 'batch': a.batch, 'optimizer': 'AdamW', 'lr': a.lr, 'weight_decay': a.weight_decay,
              'dropout': a.dropout, 'verdict_arrow': a.verdict_arrow, 'real_arrow': a.real_arrow,
              'real_weight': a.real_weight, 'grid_channels': a.grid_channels, 'hflip': a.hflip,
              'verdict_diff': a.verdict_diff, 'flip_average': a.flip_average, 'flip_match': a.flip_match,
              'class_balance': a.class_balance, 'train_windows': a.train_windows, 'group_dro': a.group_dro,
              'grid_pool': a.grid_pool, 'ensemble': a.ensemble, 'label_smoothing': a.label_smoothing,
              'schedule': 'one-cycle', 'width': a.width, 'arrow_weight': a.arrow_weight,
              'normalisation': 'per column on the training split, in the graph; odd columns mean 0',
              'losses': 'cross-entropy (verdict) + BCE (forward, clips with known direction)',
              'arrow_targets': a.arrow_targets}
    return {'recipe': recipe, 'seed': a.seed, 'split_seed': a.seed, 'holdout_families': s.held,
            'excluded_families': s.excluded, 'holdout_seed_frac': a.holdout_seed_frac,
            'data': [os.path.basename(os.path.abspath(d)) for d in a.data], 'n_train': int(len(s.train)),
            'torch': torch.__version__}


def card_header(a, cols, onnx_path, digest):
    """The card's identity, input contract and outputs."""
    T, F, W2 = cols['T'], cols['F'], 2 * a.width
    return {
        'name': a.name, 'version': a.version, 'format': 'onnx', 'opset': 17, 'sha256': digest,
        'bytes': os.path.getsize(onnx_path),
        'input': {'x': ['batch', T, F], 'mask': ['batch', T], 'T': T, 'F': F, 'columns_hash': cols['columns_hash'],
                  'analysis_fps': cols.get('analysis_fps', []),
                  'contract': 'seriesToInput/inputMask of src/model/features.ts: centred window, symmetric zero '
                              'padding, mask 1/0.5/0'},
        'outputs': {'p_forward': 'P(clip plays forwards) = sigmoid(arrow_logit); antisymmetric under mirroring',
                    'p_verdict': 'softmax over ' + '|'.join(VERDICTS) + '; invariant under mirroring',
                    'embedding': f'g(x) + g(m(x)), {W2} dims, invariant under mirroring',
                    'arrow_logit': 'a(g(x)) - a(g(m(x))); negated under mirroring',
                    'embedding_forward': f'g(x), {W2} dims: the clip as played (directional)',
                    'embedding_reversed': f'g(m(x)), {W2} dims: the clip reversed; swapped with embedding_forward '
                                          'under mirroring'},
    }


def by_data_metrics(a, data, s, shipped):
    """Each data folder's held-out clips alone (the standard and the handheld corpus)."""
    source = np.searchsorted(data.starts, np.arange(len(data.yv)), side='right') - 1
    out = {}
    for k, folder in enumerate(a.data):
        fam_k = s.fam_all[(source[s.fam_all] == k) & (data.yv[s.fam_all] >= 0)]
        seed_k = s.seed_all[(source[s.seed_all] == k) & (data.yv[s.seed_all] >= 0)]
        if len(fam_k) == 0 or len(seed_k) == 0:
            continue
        entry = {'heldout_families': shipped.rows(centre(data, fam_k)),
                 'heldout_seeds': shipped.rows(centre(data, seed_k))}
        if s.has_windows:
            entry['whole_clip'] = {'heldout_families': shipped.clips(fam_k)[0],
                                   'heldout_seeds': shipped.clips(seed_k)[0]}
        out[os.path.basename(os.path.abspath(folder))] = entry
    return out


def card_metrics(a, data, s, model, untempered):
    """The card's metrics: the shipped model on every split (and its whole clips, each data folder, each member)."""
    # The exported model on every held-out row (with its whole-clip windows) and the training rows, in one pass.
    shipped = Predictions(model, data, np.concatenate([s.fam_all, s.seed_all, s.real_val_all, s.train]))
    test, fam_of = s.test, np.array([g['family'] for g in data.groups])
    metrics = {'test': shipped.rows(test), 'heldout_families': shipped.rows(s.fam),
               'heldout_by_family': {f: shipped.rows(s.fam[fam_of[s.fam] == f]) for f in s.held},
               'heldout_seeds': shipped.rows(s.seed), 'train': shipped.rows(s.train)}
    if len(s.real_val_all):  # the real corpus: its validation split (sources never trained on) and its training rows
        real_train = s.train[data.real_split[s.train] != '']
        metrics['real_val'] = {'note': 'whole clips of the real corpus validation split (by source repository) against '
                                       'their weak labels', **shipped.real(s.real_val_all)}
        metrics['real_train'] = {'note': 'the real corpus training clips (centred windows): the fit',
                                 **shipped.real(real_train)}
    if a.flip_average:  # what the average over the left-right mirror adds, on the same weights
        set_flip_average(untempered, False)
        plain = Predictions(model, data, test)
        metrics['without_flip_average'] = {'heldout_families': plain.rows(s.fam), 'heldout_seeds': plain.rows(s.seed)}
        set_flip_average(untempered, True)
    if s.has_windows:
        families, by_family = shipped.clips(s.fam_all, s.held)
        metrics['whole_clip'] = {
            'note': 'each clip judged on its whole-clip windows averaged, as audit scan does (row metrics above: '
                    'centred windows)',
            'heldout_families': families, 'heldout_seeds': shipped.clips(s.seed_all)[0], 'heldout_by_family': by_family}
    if len(a.data) > 1:
        metrics['by_data'] = by_data_metrics(a, data, s, shipped)
    if a.ensemble > 1:  # each member alone (untempered): the spread between seeds, and what averaging them adds
        alone = [Predictions(m, data, test) for m in untempered.members]
        metrics['members'] = [{'seed': a.seed + k, 'heldout_families': p.rows(s.fam), 'heldout_seeds': p.rows(s.seed)}
                              for k, p in enumerate(alone)]
    return metrics


def main():
    a = parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    # build: the data and its splits
    data, held = load_data(a)
    s = make_splits(a, data, held)
    # train, then calibrate: the temperatures go into the graph
    model = untempered = train_model(a, data, s, rng)
    model, calibration = calibrate(a, data, s, model)
    # export: the ONNX graph, and the parity file that onnxruntime's outputs are checked against
    os.makedirs(a.out, exist_ok=True)
    onnx_path = os.path.join(a.out, f'{a.name}.onnx')
    digest = export_onnx(model, onnx_path, data.columns['T'], data.columns['F'])
    write_parity(a, data, s, model, digest)
    # card: contract, recipe and metrics
    card = {**card_header(a, data.columns, onnx_path, digest), 'training': card_training(a, s),
            'metrics': card_metrics(a, data, s, model, untempered)}
    if calibration is not None:
        card['calibration'] = calibration
    json.dump(card, open(os.path.join(a.out, f'{a.name}.card.json'), 'w'), indent=1)
    print(json.dumps(card['metrics']['test']))


if __name__ == '__main__':
    main()
