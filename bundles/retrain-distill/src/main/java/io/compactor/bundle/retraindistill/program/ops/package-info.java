/**
 * The converters, one class per operator family; each registers its operators with the since-versions where
 * their semantics begin.
 */
package io.compactor.bundle.retraindistill.program.ops;
