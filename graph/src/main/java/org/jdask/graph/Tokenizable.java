package org.jdask.graph;

/**
 * A type that defines its own token identity (Dask's {@code __dask_tokenize__}): two objects with
 * equal {@link #tokenIdentity()} get the same token. Return something cheap to hash, e.g. a name
 * and a few fields, or the keys of a collection.
 */
public interface Tokenizable {
    Object tokenIdentity();
}
