/** The VGG configurations, builder, data sets, trainer and evaluator (issue 5). */
package org.vgg4j.vgg;
