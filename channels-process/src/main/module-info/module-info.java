/**
 * Channels to a child process over its standard input and output ({@code Processes.spawn}), and
 * the child's side of them in Java ({@code Processes.parent}).
 */
module dev.hoare.channels.process {
    requires transitive dev.hoare.channels.remote;

    exports dev.hoare.channels.process;
}
