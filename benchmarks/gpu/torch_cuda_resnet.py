# PyTorch with CUDA on a lent GPU, for benchmarks/gpu/device-check.sh (copied into .gpu/).
"""CUDA peers for the ResNet cases: training steps (SGD lr 0.01 momentum 0.9) through cuDNN, fp32."""
import time, torch, torchvision
import torch.nn as nn, torch.nn.functional as F
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = True
dev = "cuda"
def timeit(fn, seconds=2.0):
    for _ in range(3): fn()
    torch.cuda.synchronize(); n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        fn(); n += 1
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / n
def cifar18():
    m = torchvision.models.resnet18(num_classes=10)
    m.conv1 = nn.Conv2d(1, 64, 3, 1, 1, bias=False); m.maxpool = nn.Identity()
    return m
for name, make, size, ch, classes, batches in [
        ("resnet18", lambda: torchvision.models.resnet18(), 224, 3, 1000, [8, 32]),
        ("resnet50", lambda: torchvision.models.resnet50(), 224, 3, 1000, [8, 32]),
        ("resnet18-cifar", cifar18, 28, 1, 10, [128])]:
    for batch in batches:
        model = make().to(dev).train()
        x = torch.randn(batch, ch, size, size, device=dev); y = torch.randint(0, classes, (batch,), device=dev)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        def step():
            opt.zero_grad(set_to_none=True); F.cross_entropy(model(x), y).backward(); opt.step()
        s = timeit(step)
        print(f"cuda_train {name} batch={batch} img_s={batch/s:.1f}", flush=True)
        del model, opt; torch.cuda.empty_cache()
