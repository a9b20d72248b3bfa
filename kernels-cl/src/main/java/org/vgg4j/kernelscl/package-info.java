/** The OpenCL backend (issue 3): kernels, device runtime, program cache, GEMM tuning. */
package org.vgg4j.kernelscl;
