/** The vgg4j command line (issue 6). */
package org.vgg4j.cli;
