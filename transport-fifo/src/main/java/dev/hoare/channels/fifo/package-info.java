/**
 * The <code>fifo:</code> transport. Not implemented yet: this module only builds, so that
 * the reactor and its dependencies are in place for the issue that fills it.
 */
package dev.hoare.channels.fifo;
