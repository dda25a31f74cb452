package io.mallocscope.runtime.fs;

/** A symbolic link found on a mounted host directory; its target is resolved inside the simulated tree. */
final class LinkNode extends Node {
    final String target;

    LinkNode(int minor, FileSystem.Mount mount, String target) {
        super(minor, 0, mount, Stat.S_IFLNK | 0777);
        this.target = target;
    }
}
