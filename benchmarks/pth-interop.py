#!/usr/bin/python3
"""PyTorch's files in vgg4j: saves a torchvision model with random weights (batch-norm statistics
moved off their initial values by a few training-mode passes) with torch.save(state_dict) as
DIR/model.pth, a random input [2, 3, 224, 224] as DIR/input.f32 and PyTorch's eval-mode
probabilities as DIR/probabilities.f32 (raw little-endian float32). PthInterop then loads the .pth
in vgg4j and compares. Usage: benchmarks/pth-interop.sh [vgg11 vgg16 vgg11_bn resnet18 ...]"""
import sys
import torch, torchvision

def main():
    d, arch = sys.argv[1], sys.argv[2]
    torch.manual_seed(11)
    kw = {"aux_logits": False, "init_weights": True} if arch == "googlenet" else {}
    model = getattr(torchvision.models, arch)(weights=None, **kw)
    model.train()
    with torch.no_grad():
        for step in range(3):
            model(torch.randn(2, 3, 224, 224) * (1 + step) + 0.3 * step)
    model.eval()
    torch.save(model.state_dict(), d + "/model.pth")
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        p = torch.softmax(model(x), dim=1)
    x.numpy().astype("<f4").tofile(d + "/input.f32")
    p.numpy().astype("<f4").tofile(d + "/probabilities.f32")
    print(f"pth-interop {arch}: torch {torch.__version__} wrote {d}/model.pth")

main()
