package dev.crossrole.server.tasks;

import java.nio.file.Path;
import java.util.List;

/**
 * An image fetched from a registry by ECS's agent, for a runtime that runs images to load ({@link TaskRuntime#load}):
 * its config and its layers as the registry serves them (compressed or not), in the manifest's order.
 *
 * @param name what the engine is to call it ({@code <registry>/<repository>:<tag>})
 * @param config the image configuration's bytes (its sha256 is the image id)
 * @param layers the layer files, in order, each once per mention in the manifest
 * @param folder the agent's folder for the pull, where a runtime may write what it loads the image from
 */
public record PulledImage(String name, byte[] config, List<Path> layers, Path folder) {
    public PulledImage {
        layers = List.copyOf(layers);
    }
}
