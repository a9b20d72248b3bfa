/** Modules, layers, losses, initialisers, optimisers and model files (issue 4). */
package org.vgg4j.nn;
