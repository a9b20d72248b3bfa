#!/usr/bin/env python3
"""Writes the model-format fixtures of FormatsTest: one reduced VGG (configuration A, widths / 16,
FC 16, 10 classes, 224x224 input, so torchvision's layout and names) in PyTorch's zip format, as
safetensors, and as a Caffe .caffemodel (V1 'layers', as the paper's authors released theirs),
all from the same float32 tensors; the same network with batch norm as .pth; and what PyTorch
predicts for a fixed input. Run with a Python that has torch (1.6 or later):

    python3 make_fixtures.py            # in this folder

The .caffemodel is encoded by hand below (protobuf wire format, Caffe's field numbers), so no
Caffe is needed; its weights are the same numbers as stored (Caffe's BGR order is a matter of
how the input is fed, which the test does).
"""
import json
import math
import struct

import torch
import torch.nn as nn

torch.manual_seed(20261203)
CFG_A = [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M']


def vgg_tiny(bn):
    layers, c = [], 3
    for v in CFG_A:
        if v == 'M':
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers.append(nn.Conv2d(c, v // 16, 3, padding=1))
            if bn:
                layers.append(nn.BatchNorm2d(v // 16))
            layers.append(nn.ReLU(inplace=True))
            c = v // 16
    m = nn.Module()
    m.features = nn.Sequential(*layers)
    m.avgpool = nn.AdaptiveAvgPool2d((7, 7))
    m.classifier = nn.Sequential(nn.Linear(c * 49, 16), nn.ReLU(True), nn.Dropout(),
                                 nn.Linear(16, 16), nn.ReLU(True), nn.Dropout(), nn.Linear(16, 10))

    def forward(x):
        x = m.avgpool(m.features(x))
        return m.classifier(torch.flatten(x, 1))
    m.forward = forward
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, (nn.Conv2d, nn.Linear)):
                fan_in = mod.weight[0].numel()
                mod.weight.normal_(0, math.sqrt(2.0 / fan_in))
                mod.bias.normal_(0, 0.1)
            if isinstance(mod, nn.BatchNorm2d):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.normal_(0, 0.1)
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.2, 0.2)
                mod.running_var.uniform_(0.5, 1.5)
                mod.num_batches_tracked.fill_(7)
    return m.eval()


def test_input():
    # x[c, h, w] = sin(0.001 * (c * 50176 + h * 224 + w) + 0.3 * c): the same in FormatsTest
    i = torch.arange(3 * 224 * 224, dtype=torch.float64)
    c = torch.div(i, 224 * 224, rounding_mode='floor')
    return torch.sin(0.001 * i + 0.3 * c).float().reshape(1, 3, 224, 224)


def write_safetensors(path, sd):
    header, blobs, off = {}, [], 0
    for k in sorted(sd):
        t = sd[k].contiguous()
        dtype = {torch.float32: 'F32', torch.int64: 'I64'}[t.dtype]
        b = t.numpy().tobytes()
        header[k] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, wire, payload):
    return varint(num << 3 | wire) + payload


def length_delimited(num, data):
    return field(num, 2, varint(len(data)) + data)


def blob(t):
    # BlobProto: legacy num/channels/height/width (1-4) as the released files have, packed data (5)
    dims = list(t.shape)
    dims = [1] * (4 - len(dims)) + dims
    out = b''.join(field(i + 1, 0, varint(d)) for i, d in enumerate(dims))
    return out + length_delimited(5, t.contiguous().numpy().astype('<f4').tobytes())


def write_caffemodel(path, m):
    # NetParameter { name = 1; repeated V1LayerParameter layers = 2 }, V1LayerParameter
    # { bottom = 2; top = 3; name = 4; type = 5 (4 CONVOLUTION, 14 INNER_PRODUCT, 18 RELU, 17 POOLING); blobs = 6 }
    out = length_delimited(1, b'VGG_tiny_A')
    n = 0
    for mod in m.features:
        if isinstance(mod, nn.Conv2d):
            n += 1
            layer = length_delimited(4, b'conv%d' % n) + field(5, 0, varint(4))
            layer += length_delimited(6, blob(mod.weight.detach())) + length_delimited(6, blob(mod.bias.detach()))
            out += length_delimited(2, layer)
            out += length_delimited(2, length_delimited(4, b'relu%d' % n) + field(5, 0, varint(18)))
        elif isinstance(mod, nn.MaxPool2d):
            out += length_delimited(2, length_delimited(4, b'pool%d' % n) + field(5, 0, varint(17)))
    for i, idx in enumerate((0, 3, 6)):
        lin = m.classifier[idx]
        layer = length_delimited(4, b'fc%d' % (6 + i)) + field(5, 0, varint(14))
        layer += length_delimited(6, blob(lin.weight.detach())) + length_delimited(6, blob(lin.bias.detach()))
        out += length_delimited(2, layer)
    with open(path, 'wb') as f:
        f.write(out)


def state_dict(m):
    return {k: v for k, v in m.state_dict().items()}


def main():
    plain = vgg_tiny(False)
    bn = vgg_tiny(True)
    sd = state_dict(plain)
    torch.save(sd, 'vgg-tiny.pth')
    write_safetensors('vgg-tiny.safetensors', sd)
    write_caffemodel('vgg-tiny.caffemodel', plain)
    # a training checkpoint of a DataParallel model: the state dict nested, names prefixed
    torch.save({'epoch': 3, 'state_dict': {'module.' + k: v for k, v in state_dict(bn).items()}},
               'vgg-tiny-bn-checkpoint.pth')
    x = test_input()
    with torch.no_grad():
        expected = {
            'vgg-tiny': torch.softmax(plain.forward(x), 1)[0].tolist(),
            'vgg-tiny-bn': torch.softmax(bn.forward(x), 1)[0].tolist(),
        }
    with open('expected.json', 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
