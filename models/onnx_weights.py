"""The weights of an exported model, read back from its ONNX file: a small reader of the protobuf wire format (no onnx
package needed) and the loader that rebuilds the PyTorch model of models/train.py from them, so a shipped model can be
fine-tuned (models/adapt.py) from nothing but its .onnx and .card.json."""
import numpy as np


def _varint(b, i):
    """A base-128 varint at b[i]: (value, next index)."""
    x = s = 0
    while True:
        c = b[i]
        i += 1
        x |= (c & 0x7f) << s
        s += 7
        if c < 0x80:
            return x, i

def _fields(b):
    """(field number, wire type, value) of each field of one protobuf message."""
    i = 0
    while i < len(b):
        key, i = _varint(b, i)
        f, w = key >> 3, key & 7
        if w == 0:
            v, i = _varint(b, i)
        elif w == 1:
            v = b[i:i + 8]
            i += 8
        elif w == 2:
            n, i = _varint(b, i)
            v = b[i:i + n]
            i += n
        elif w == 5:
            v = b[i:i + 4]
            i += 4
        else:
            raise ValueError(f'unsupported wire type {w}')
        yield f, w, v

def initializers(path):
    """{name: numpy array} of every initializer of the ONNX graph (float32, int64, int32)."""
    b = memoryview(open(path, 'rb').read())
    out = {}
    for f, w, v in _fields(b):
        if f != 7 or w != 2:  # only ModelProto.graph
            continue
        for gf, gw, gv in _fields(v):
            if gf != 5 or gw != 2:  # only GraphProto.initializer
                continue
            dims, dtype, name, raw, floats = [], 1, None, None, []
            for tf, tw, tv in _fields(gv):
                if tf == 1:
                    if tw == 0:
                        dims.append(tv)
                    else:
                        j = 0
                        while j < len(tv):
                            d, j = _varint(tv, j)
                            dims.append(d)
                elif tf == 2:
                    dtype = tv
                elif tf == 8:
                    name = bytes(tv).decode()
                elif tf == 9:
                    raw = bytes(tv)
                elif tf == 4:  # float_data: packed, or one value per field
                    one = np.frombuffer(bytes(tv), '<f4')
                    floats = one if tw == 2 else floats + [one[0]]
            np_type = {1: '<f4', 7: '<i8', 6: '<i4'}.get(dtype)
            if np_type is None:
                raise ValueError(f'{name}: data type {dtype} not supported')
            if raw is None and dtype != 1:
                raise ValueError(f'{name}: integer tensor without raw data')
            arr = np.frombuffer(raw, np_type) if raw is not None else np.asarray(floats, np.float32)
            out[name] = arr.reshape(dims).copy()
    return out



def load_model(onnx_path, card, columns):
    """The Tempered(Ensemble(ReversalNet...)) of models/train.py rebuilt from an exported model: the architecture from
    the card's recipe, every weight and buffer from the ONNX initializers (buffers equal across ensemble members are
    stored once, under member 0's name). Raises SystemExit naming what does not fit."""
    import torch

    import train as T
    r = card['training']['recipe']
    names, F = columns['names'], columns['F']
    if card['input']['columns_hash'] != columns['columns_hash']:
        raise SystemExit(f'{onnx_path}: the model reads other cue columns than these tensors (columns hash differs)')
    odd = np.array([p == 'odd' for p in columns['parity']], np.float32)
    layout, maps = T.grid_layout(names), T.hflip_maps(names)
    members = []
    for _ in range(int(r.get('ensemble', 1))):
        # dropout 0: the exported graph has none, and fine-tuning (models/adapt.py) trains without it
        config = T.NetConfig(width=r['width'], dropout=0.0, verdict_arrow=r.get('verdict_arrow', False),
                             grid_channels=r.get('grid_channels', 0), verdict_diff=r.get('verdict_diff', False),
                             flip_match=r.get('flip_match', False), grid_pool=r.get('grid_pool', 1))
        m = T.ReversalNet(F, odd, np.zeros(F, np.float32), np.ones(F, np.float32), config, grid=layout,
                          flip_maps=maps if r.get('flip_average') or r.get('flip_match') else None)
        m.flip_average = bool(r.get('flip_average'))
        members.append(m)
    net = members[0] if len(members) == 1 else T.Ensemble(members)
    cal = card.get('calibration') or {}
    model = T.Tempered(net, cal.get('verdict_temperature', 1.0), cal.get('arrow_temperature', 1.0))
    w = initializers(onnx_path)
    state = model.state_dict()
    # buffers equal across members are stored once (member 0's name); a model exported without calibration has no
    # 'model.' level and no temperatures (they stay 1)
    def source(k):
        bare = k[len('model.'):] if k.startswith('model.') else k
        shared = k
        for j in range(1, len(members)):
            shared = shared.replace(f'.members.{j}.', '.members.0.')
        for cand in (k, shared, bare):
            if cand in w:
                return cand
        if k in ('temperature', 'arrow_temperature'):
            return None
        raise SystemExit(f'{onnx_path}: no weight for {k} (was it exported by models/train.py with this recipe?)')
    new = {}
    for k, v in state.items():
        s = source(k)
        new[k] = v if s is None else torch.from_numpy(w[s]).to(v.dtype).reshape(v.shape)
    model.load_state_dict(new)
    return model.eval()


def check_parity(model, parity, where, tol=1e-4):
    """Runs the rebuilt model on the samples of a .parity.json (inputs and the outputs the exported graph gave) and
    raises SystemExit when they differ: the card's recipe does not describe this graph (for instance a model exported
    by an older models/train.py)."""
    import base64

    import torch
    decode = lambda s: torch.from_numpy(np.frombuffer(base64.b64decode(s), '<f4').copy())  # noqa: E731
    worst = 0.0
    for s in parity['samples']:
        x = decode(s['x']).reshape(1, parity['T'], parity['F'])
        m = decode(s['mask']).reshape(1, parity['T'])
        with torch.no_grad():
            out = model(x, m)
        verdict = float((out[1][0] - torch.tensor(s['p_verdict'])).abs().max())
        worst = max(worst, abs(float(out[0][0]) - s['p_forward']), verdict)
    if worst > tol:
        raise SystemExit(f'{where}: the model rebuilt from its ONNX weights differs from the exported graph by '
                         f'{worst:.3g} '
                         f'(over {tol}); it was not exported by this models/train.py, so it cannot be fine-tuned')
    return worst
