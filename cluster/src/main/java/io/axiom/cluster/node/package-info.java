/**
 * TODO
 */
package io.axiom.cluster.node;
