/** A codec of Java objects through Kryo, with class registration required. */
module dev.hoare.channels.kryo {
    requires transitive dev.hoare.channels;
    requires transitive com.esotericsoftware.kryo;

    exports dev.hoare.channels.kryo;
}
