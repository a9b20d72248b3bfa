/*
 * Softmax + cross-entropy over logits [N, K] with labels [N] (class indices as floats): one
 * work-item per row (K is the number of classes: small). The loss is (max + log sum exp) - logit,
 * finite even when the probability underflows.
 */
__kernel void softmax_xent_forward(__global const float* logits, __global const float* labels,
                                   __global float* probs, __global float* loss, const int N, const int K)
{
    int r = get_global_id(0);
    if (r >= N) return;
    __global const float* l = logits + (long)r * K;
    __global float* p = probs + (long)r * K;
    float mx = -INFINITY;
    for (int j = 0; j < K; j++) mx = fmax(mx, l[j]);
    float sum = 0.0f;
    for (int j = 0; j < K; j++) { float e = exp(l[j] - mx); p[j] = e; sum += e; }
    float inv = 1.0f / sum;
    for (int j = 0; j < K; j++) p[j] *= inv;
    int label = (int)labels[r];
    // a label outside [0, K) cannot be checked without a host round trip: it gives a NaN loss,
    // which the trainer's divergence check reports
    loss[r] = label >= 0 && label < K && (float)label == labels[r] ? mx + log(sum) - l[label] : NAN;
}

__kernel void softmax_xent_backward(__global const float* probs, __global const float* labels, const float scale,
                                    __global float* grad, const int N, const int K)
{
    int e = get_global_id(0);
    if (e >= N * K) return;
    int r = e / K, j = e % K;
    grad[e] = scale * (probs[e] - (j == (int)labels[r] ? 1.0f : 0.0f));
}
