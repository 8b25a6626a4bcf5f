package org.jdask.distributed.coord;

/** How a {@code COORD_REQUEST} ended: done, its wait ran out, or refused (the reply's error says why). */
public enum CoordStatus { OK, TIMEOUT, REFUSED }
