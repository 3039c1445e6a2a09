package io.latentqa.dataset.record;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param page the page number, from 0
 * @param size the page size asked for
 * @param total items matching the filters, on all pages
 * @param items this page's items
 */
public record Page<T>(int page, int size, long total, List<T> items) {
}
