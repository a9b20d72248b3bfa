/** JMH benchmarks and the side-by-side peer comparisons. */
package org.vgg4j.bench;
