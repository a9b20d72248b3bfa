package org.vgg4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.vgg4j.tensor.cpu.CpuBackend;

class BackendCheckTest {

    /** The Vector API path against the scalar one: every op of the interface is covered, and all agree. */
    @Test
    void theCpuPathsAgreeOnEveryOp() {
        List<BackendCheck.Result> results = BackendCheck.run(new CpuBackend(false), new CpuBackend(true), 1);
        for (BackendCheck.Result r : results) {
            assertTrue(r.ok(), r.toString());
            assertTrue(r.cases() > 0, r.toString());
        }
        java.util.Set<String> covered = results.stream().map(BackendCheck.Result::op).collect(Collectors.toSet());
        for (String op : List.of("gemm", "conv2dForward", "conv2dForwardRelu", "conv2dBackwardData", "conv2dBackwardWeights", "conv2dBackward",
            "im2col", "col2im", "biasAdd", "biasGrad", "reluForward", "reluBackward", "scale", "axpy", "add", "mul",
            "maxPoolForward", "maxPoolBackward", "avgPoolForward", "avgPoolBackward", "lrnForward", "lrnBackward",
            "batchNormForwardTraining", "batchNormForwardInference", "batchNormBackward",
            "batchNormReluForwardTraining", "batchNormReluForwardInference", "batchNormReluBackward", "softmaxCrossEntropyForward",
            "softmaxCrossEntropyBackward", "dropoutForward", "sgdUpdate", "sum", "topK", "copy", "fill")) {
            assertTrue(covered.contains(op), op + " is checked");
        }
    }

    /** A backend whose ReLU is off in one element by 1e-3 fails exactly that op; a NaN is the worst error. */
    @Test
    void aWrongOpIsReportedAndOnlyThatOne() {
        CpuBackend inner = new CpuBackend(false);
        Backend wrong = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
            (proxy, method, args) -> {
                Object out;
                try {
                    out = method.invoke(inner, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
                if (method.getName().equals("reluForward")) {
                    Tensor y = (Tensor) args[1];
                    y.storage(float[].class)[7] += 1e-3f;
                } else if (method.getName().equals("mul")) {
                    ((Tensor) args[2]).storage(float[].class)[3] = Float.NaN;
                }
                return out;
            });
        Map<String, BackendCheck.Result> byOp = BackendCheck.run(new CpuBackend(false), wrong, 1).stream()
            .collect(Collectors.toMap(BackendCheck.Result::op, r -> r));
        assertFalse(byOp.get("reluForward").ok(), byOp.get("reluForward").toString());
        assertEquals(Double.POSITIVE_INFINITY, byOp.get("mul").worst());
        assertTrue(byOp.get("reluForward").toString().endsWith("WRONG"));
        byOp.values().stream().filter(r -> !r.op().equals("reluForward") && !r.op().equals("mul"))
            .forEach(r -> assertTrue(r.ok(), r.toString()));
    }
}
