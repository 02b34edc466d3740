/** Reading PatchWatch's results back for people: curves and tables built from aggregate topics. */
package dev.patchwatch.query;
