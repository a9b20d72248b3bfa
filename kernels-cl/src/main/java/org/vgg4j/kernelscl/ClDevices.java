package org.vgg4j.kernelscl;

import static org.jocl.CL.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_LOCAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_COMPUTE_UNITS;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ACCELERATOR;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;
import static org.jocl.CL.CL_DEVICE_VENDOR;
import static org.jocl.CL.CL_DRIVER_VERSION;
import static org.jocl.CL.CL_PLATFORM_NAME;
import static org.jocl.CL.clGetDeviceIDs;
import static org.jocl.CL.clGetDeviceInfo;
import static org.jocl.CL.clGetPlatformIDs;
import static org.jocl.CL.clGetPlatformInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * OpenCL platforms and devices. Loading JOCL or the ICD loader can fail in many ways on a
 * machine without OpenCL; {@link #scan()} turns every one of them into a reason string and
 * never throws, so a missing driver is one clear line, not a crash.
 */
public final class ClDevices {
    /**
     * True when the environment says an OpenCL device must be present: the test command sets
     * {@code VGG4J_REQUIRE_OPENCL=1} after installing PoCL, so OpenCL tests fail there instead of
     * skipping silently when the driver did not come up.
     */
    public static boolean required() {
        String v = System.getenv("VGG4J_REQUIRE_OPENCL");
        return v != null && !v.isEmpty() && !v.equals("0");
    }

    private ClDevices() {}

    /** One device: its spec index, what it is and its limits. */
    public record Device(int platform, int index, String platformName, String name, String vendor, String driver,
                         boolean gpu, boolean accelerator, int computeUnits, long globalMem, long localMem,
                         long maxWorkGroup, cl_platform_id platformId, cl_device_id id) {

        public String spec() {
            return "cl:" + platform + ":" + index;
        }

        public String describe() {
            return String.format(Locale.ROOT, "%s: %s (%s, %s, driver %s), %d compute units, %d MiB global, "
                    + "%d KiB local, work-groups up to %d", spec(), name, platformName,
                gpu ? "GPU" : accelerator ? "accelerator" : "CPU", driver, computeUnits, globalMem >> 20,
                localMem >> 10, maxWorkGroup);
        }
    }

    /** The devices found, or the reason there are none. */
    public record Scan(List<Device> devices, String problem) {}

    private static Scan cached;

    public static synchronized Scan scan() {
        if (cached == null) {
            cached = doScan();
        }
        return cached;
    }

    private static Scan doScan() {
        if (!IcdLoaderCheck.present()) {
            return new Scan(List.of(), "the OpenCL ICD loader " + IcdLoaderCheck.NAME + " was not found (LD_LIBRARY_PATH, "
                + "ldconfig, the usual library folders); install ocl-icd-libopencl1 and a driver such as "
                + "pocl-opencl-icd, and start through the vgg4j launcher, which points JOCL at the loader it bundles");
        }
        try {
            CL.setExceptionsEnabled(true);
            int[] n = new int[1];
            clGetPlatformIDs(0, null, n);
            if (n[0] == 0) {
                return new Scan(List.of(), "no OpenCL platform installed (e.g. apt-get install pocl-opencl-icd)");
            }
            cl_platform_id[] platforms = new cl_platform_id[n[0]];
            clGetPlatformIDs(platforms.length, platforms, null);
            List<Device> out = new ArrayList<>();
            for (int p = 0; p < platforms.length; p++) {
                int[] nd = new int[1];
                try {
                    clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, null, nd);
                } catch (RuntimeException noDevices) {
                    continue;
                }
                cl_device_id[] ids = new cl_device_id[nd[0]];
                clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, ids.length, ids, null);
                String pname = platformString(platforms[p], CL_PLATFORM_NAME);
                for (int d = 0; d < ids.length; d++) {
                    long type = deviceLong(ids[d], CL_DEVICE_TYPE);
                    out.add(new Device(p, d, pname, deviceString(ids[d], CL_DEVICE_NAME),
                        deviceString(ids[d], CL_DEVICE_VENDOR), deviceString(ids[d], CL_DRIVER_VERSION),
                        (type & CL_DEVICE_TYPE_GPU) != 0, (type & CL_DEVICE_TYPE_ACCELERATOR) != 0,
                        (int) deviceInt(ids[d], CL_DEVICE_MAX_COMPUTE_UNITS), deviceLong(ids[d], CL_DEVICE_GLOBAL_MEM_SIZE),
                        deviceLong(ids[d], CL_DEVICE_LOCAL_MEM_SIZE), deviceSize(ids[d], CL_DEVICE_MAX_WORK_GROUP_SIZE),
                        platforms[p], ids[d]));
                }
            }
            return out.isEmpty() ? new Scan(out, "OpenCL platforms exist but have no devices") : new Scan(out, "");
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return new Scan(List.of(), "the OpenCL ICD loader could not be loaded (" + e.getMessage()
                + "); install ocl-icd-libopencl1 and a driver such as pocl-opencl-icd, and start through the "
                + "vgg4j launcher");
        } catch (RuntimeException e) {
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("PLATFORM_NOT_FOUND")) {
                return new Scan(List.of(), "no OpenCL platform installed (the ICD loader found no driver; e.g. "
                    + "apt-get install pocl-opencl-icd)");
            }
            return new Scan(List.of(), "OpenCL failed: " + msg);
        }
    }

    static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(d, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null);
        return new String(buf, 0, Math.max(0, buf.length - 1)).trim();
    }

    static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(p, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null);
        return new String(buf, 0, Math.max(0, buf.length - 1)).trim();
    }

    static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(d, param, Sizeof.cl_long, Pointer.to(v), null);
        return v[0];
    }

    static long deviceInt(cl_device_id d, int param) {
        int[] v = new int[1];
        clGetDeviceInfo(d, param, Sizeof.cl_int, Pointer.to(v), null);
        return v[0];
    }

    static long deviceSize(cl_device_id d, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null);
        return v[0];
    }
}
