#!/usr/bin/env python3
"""The arrow head: gradient-boosted trees that score how "forwards" a clip's time-asymmetry statistics look, trained
on the real corpus's training split with every clip as filmed (1) against its mirror (0): no labels needed. In
`audit scan`, p_forward = sigmoid((score(clip) - score(mirror)) / T) (src/model/arrow-head.ts evaluates the trees
written here), so reversing a clip gives 1 - p_forward exactly.

The fixed validation split (by source repository) chooses the tree setting (mean of the arrow accuracy on all its
clips and on its weak-irreversible ones) and fits T (minimum BCE against 1 for weak-irreversible and unlabelled
clips, 0.5 for the others: reversed, those are plausible, so their arrow is unknowable). Its accuracy is therefore a
little optimistic; the card also gives a 5-fold cross-validation over the training split's source groups, which chose
nothing. Inputs come from scripts/train-arrow.js (`npm run train:arrow`):

  /usr/bin/python3 models/train_arrow.py --data .train/data/real-arrow --out models

Needs numpy and scikit-learn (apt-get install python3-numpy python3-sklearn)."""
import argparse
import datetime
import hashlib
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_content import export_trees  # noqa: E402

SETTINGS = ({'learning_rate': 0.05, 'max_iter': 300, 'min_samples_leaf': 20},
            {'learning_rate': 0.05, 'max_iter': 200, 'min_samples_leaf': 40, 'max_depth': 3},
            {'learning_rate': 0.1, 'max_iter': 100, 'min_samples_leaf': 20})
SEED = 0


def load(folder):
    meta = json.load(open(os.path.join(folder, 'meta.json')))
    n, f = len(meta['clips']), meta['features']
    fwd = np.fromfile(os.path.join(folder, 'X_forward.f64'), dtype='<f8').reshape(n, f)
    mir = np.fromfile(os.path.join(folder, 'X_mirrored.f64'), dtype='<f8').reshape(n, f)
    return meta, fwd, mir


def fit(setting, fwd, mir):
    from sklearn.ensemble import HistGradientBoostingClassifier
    clf = HistGradientBoostingClassifier(**setting, random_state=SEED, early_stopping=False)
    clf.fit(np.concatenate([fwd, mir]), np.r_[np.ones(len(fwd)), np.zeros(len(mir))])
    return clf


def diff(clf, fwd, mir):
    """score(clip) - score(mirror): the arrow logit before the temperature (arrow-head.ts headArrow)."""
    return clf.decision_function(fwd) - clf.decision_function(mir)


def accuracy(d, verdict):
    irr = verdict == 2
    return {'all': round(float((d > 0).mean()), 4), 'irreversible': round(float((d[irr] > 0).mean()), 4),
            'n': int(len(d)), 'n_irreversible': int(irr.sum())}


def arrow_target(verdict):
    return np.where((verdict == 0) | (verdict == 1), 0.5, 1.0)


def bce(logit, target):
    p = np.clip(1 / (1 + np.exp(-logit)), 1e-9, 1 - 1e-9)
    return float(-(target * np.log(p) + (1 - target) * np.log(1 - p)).mean())


def fit_temperature(d, verdict):
    """The T in [0.5, 50] (log grid) minimising the BCE of sigmoid(d / T) against the arrow targets."""
    target = arrow_target(verdict)
    grid = np.exp(np.linspace(np.log(0.5), np.log(50), 301))
    return float(grid[int(np.argmin([bce(d / t, target) for t in grid]))])


def sharpness(d, verdict, t):
    """Mean abs(p_forward - 0.5) on the weak-irreversible and on the weak-invariant clips, after the temperature."""
    p = 1 / (1 + np.exp(-d / t))
    return {k: round(float(np.abs(p[verdict == v] - 0.5).mean()), 4)
            for k, v in (('irreversible', 2), ('invariant', 0))}


def group_cv(setting, fwd, mir, verdict, group, folds=5):
    from sklearn.model_selection import GroupKFold
    d = np.zeros(len(fwd))
    for tr, te in GroupKFold(folds).split(fwd, verdict, group):
        d[te] = diff(fit(setting, fwd[tr], mir[tr]), fwd[te], mir[te])
    return accuracy(d, verdict)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--name', default='reversal-arrow-v1')
    ap.add_argument('--version', default='0.1.0')
    ap.add_argument('--no-group-cv', action='store_true', help='skip the 5-fold cross-validation (small corpora)')
    a = ap.parse_args()
    meta, fwd, mir = load(a.data)
    clips = meta['clips']
    split = np.array([c['split'] for c in clips])
    verdict = np.array([c['verdict'] for c in clips])
    group = np.array([c['group'] for c in clips])
    tr, va = split == 'train', split == 'val'
    if not tr.any() or not va.any():
        raise SystemExit(f'{a.data}: needs clips of both splits (train {tr.sum()}, val {va.sum()})')
    net = np.array([c['network_p_forward'] if c['network_p_forward'] is not None else np.nan for c in clips])
    print(f'{len(clips)} clips ({tr.sum()} training, {va.sum()} validation), {meta["features"]} features')
    tried = []
    for s in SETTINGS:
        clf = fit(s, fwd[tr], mir[tr])
        d = diff(clf, fwd[va], mir[va])
        acc = accuracy(d, verdict[va])
        tried.append(((acc['all'] + acc['irreversible']) / 2, s, clf, d, acc))
        print(f'  {s}: validation arrow {acc["all"]:.3f} all, {acc["irreversible"]:.3f} weak-irreversible')
    _, setting, clf, d, acc = max(tried, key=lambda t: t[0])
    t = fit_temperature(d, verdict[va])
    metrics = {
        'real_val': {**acc, 'mean_abs_p_forward_minus_half': sharpness(d, verdict[va], t),
                     'bce': round(bce(d / t, arrow_target(verdict[va])), 4)},
    }
    # The network's own arrow on the validation clips it judged (a scan made with it; none when made without a model).
    judged = ~np.isnan(net[va])
    if judged.any():
        p = net[va][judged]
        net_d = np.log(np.clip(p, 1e-9, 1)) - np.log(np.clip(1 - p, 1e-9, 1))
        metrics['real_val_judged'] = {'head': accuracy(d[judged], verdict[va][judged]),
                                      'network': {**accuracy(net_d, verdict[va][judged]),
                                                  'mean_abs_p_forward_minus_half':
                                                  sharpness(net_d, verdict[va][judged], 1.0)}}
    print(f'chosen {setting}: validation arrow {acc["all"]:.3f} all, {acc["irreversible"]:.3f} weak-irreversible; '
          f'T {t:.3f}; mean abs(p_forward - 0.5) {metrics["real_val"]["mean_abs_p_forward_minus_half"]}')
    if 'real_val_judged' in metrics:
        j = metrics['real_val_judged']
        h, n = j['head'], j['network']
        print(f'on the {h["n"]} validation clips the network judged: head {h["all"]:.3f} / {h["irreversible"]:.3f}, '
              f'network {n["all"]:.3f} / {n["irreversible"]:.3f}')
    if not a.no_group_cv:
        metrics['train_group_cv'] = group_cv(setting, fwd[tr], mir[tr], verdict[tr], group[tr])
        cv = metrics['train_group_cv']
        print(f'5-fold cross-validation over training groups (chose nothing): {cv["all"]:.3f} all, '
              f'{cv["irreversible"]:.3f} weak-irreversible')
    head = {'name': a.name, 'version': a.version, 'columns_hash': meta['columns_hash'], 'features': meta['features'],
            'models': [export_trees(clf)], 'temperature': t}
    os.makedirs(a.out, exist_ok=True)
    text = json.dumps(head, separators=(',', ':')) + '\n'
    with open(os.path.join(a.out, f'{a.name}.json'), 'w') as f:
        f.write(text)
    rows = np.flatnonzero(va)[:6]
    parity = {'rows': [{'forward': fwd[i].tolist(), 'mirrored': mir[i].tolist(),
                        'score_forward': float(clf.decision_function(fwd[i:i + 1])[0]),
                        'score_mirrored': float(clf.decision_function(mir[i:i + 1])[0])} for i in rows]}
    with open(os.path.join(a.out, f'{a.name}.parity.json'), 'w') as f:
        f.write(json.dumps(parity) + '\n')
    licences = {}
    for c in clips:
        licences[c['license']] = licences.get(c['license'], 0) + 1
    card = {
        'name': a.name, 'version': a.version, 'sha256': hashlib.sha256(text.encode()).hexdigest(),
        'created': datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds'),
        'what': 'arrow of time from time-asymmetry statistics of the cue series (gradient-boosted trees, each clip as '
                'filmed against its mirror); p_forward = sigmoid((score(clip) - score(mirror)) / T), antisymmetric',
        'inputs': {'asymmetry_stats': 4, 'cue_columns_hash': meta['columns_hash'], 'features': meta['features']},
        'training': {'clips': len(clips), 'training_clips': int(tr.sum()), 'validation_clips': int(va.sum()),
                     'groups': len(set(group)), 'licences': licences, 'setting': setting,
                     'settings_tried': [{'setting': s, 'validation': acc_} for _, s, _, _, acc_ in tried],
                     'temperature': t, 'scan': meta.get('scan')},
        'metrics': metrics,
    }
    with open(os.path.join(a.out, f'{a.name}.card.json'), 'w') as f:
        f.write(json.dumps(card, indent=1) + '\n')


if __name__ == '__main__':
    main()
