package org.jdask.distributed.actor;

import java.io.Serializable;

/**
 * Where an actor lives: its name (unique in the cluster, e.g. {@code Counter-3f2a9c1b}) and the
 * worker that holds it. Plain serializable data, so it can be handed to another client (or another
 * JVM), which attaches to the same actor with {@code client.actor(ref)}. A ref alone does not keep
 * the actor alive: handles do.
 *
 * @param name the actor's name: its class's simple name and a random token
 * @param worker the address of the worker that holds the object
 */
public record ActorRef<T>(String name, String worker) implements Serializable {
    public ActorRef {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("an actor ref needs the actor's name");
        if (worker == null || worker.isEmpty()) throw new IllegalArgumentException("actor ref " + name + " needs its worker's address");
    }

    /** The token the worker knows the actor by (the name after its last {@code -}). */
    String token() {
        return name.substring(name.lastIndexOf('-') + 1);
    }
}
