/**
 * Channels to a child process over its standard input and output, for a program in any language
 * that speaks the wire format: {@link dev.hoare.channels.process.Processes#spawn} starts it and
 * returns a {@link dev.hoare.channels.process.ChildProcess} (a channel each way, its exit, a
 * graceful close); {@link dev.hoare.channels.process.Processes#parent} is the child's side in Java.
 * The child's exit, crash or kill closes the channel from it after every value it wrote, with a
 * {@link dev.hoare.channels.PeerLostException} giving its exit status. See docs/processes.md.
 */
package dev.hoare.channels.process;
