#!/usr/bin/python3
"""Loads a vgg4j model file into torchvision with load_state_dict(strict=True) and compares
PyTorch's eval-mode probabilities with the ones vgg4j computed for the same input.
Usage: benchmarks/torch-interop.sh [vgg11|vgg11_bn|vgg16_bn] (it runs TorchInterop first), or
       torch-interop.py DIR ARCH after `TorchInterop DIR ARCH`.
Reads safetensors with the standard library and numpy (no safetensors package needed)."""
import json, struct, sys
import numpy as np
import torch, torchvision

DTYPES = {"F32": np.float32, "I64": np.int64}

def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=DTYPES[e["dtype"]]).reshape(e["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out

def main():
    d, arch = sys.argv[1], sys.argv[2]
    state = read_safetensors(d + "/model.safetensors")
    # GoogLeNet without its auxiliary training heads (ours has none); transform_input stays False
    kw = {"aux_logits": False, "init_weights": False} if arch == "googlenet" else {}
    model = getattr(torchvision.models, arch)(weights=None, **kw)
    missing = model.load_state_dict(state, strict=True)
    model.eval()
    io = read_safetensors(d + "/io.safetensors")
    with torch.no_grad():
        p = torch.softmax(model(io["input"]), dim=1)
    ours = io["probabilities"]
    diff = (p - ours).abs().max().item()
    print(f"torch-interop {arch}: load_state_dict(strict=True) {missing}; "
          f"max |p_torch - p_vgg4j| = {diff:.3g} over {p.numel()} probabilities; "
          f"top-1 agree: {bool((p.argmax(1) == ours.argmax(1)).all())}")
    sys.exit(0 if diff <= 1e-5 else 1)

main()
