package io.axiom.gateway.cli.client;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table for people: a header row, left-aligned columns two spaces apart, no colours, and {@code -} for
 * an empty cell.
 */
final class Table
{
    private final String[] headers;
    private final List<String[]> rows = new ArrayList<>();

    /**
     * @param headers column titles.
     */
    Table(final String... headers)
    {
        this.headers = headers.clone();
    }

    /**
     * @param cells one value per column; null or empty prints as {@code -}.
     * @return this table.
     */
    Table row(final Object... cells)
    {
        final String[] row = new String[headers.length];
        for (int i = 0; i < row.length; i++)
        {
            final Object cell = i < cells.length ? cells[i] : null;
            final String text = null == cell ? "" : String.valueOf(cell).replace('\n', ' ');
            row[i] = text.isEmpty() ? "-" : text;
        }
        rows.add(row);
        return this;
    }

    /**
     * @return the number of rows, header excluded.
     */
    int size()
    {
        return rows.size();
    }

    /**
     * @param out where to print.
     */
    void print(final PrintWriter out)
    {
        final int[] widths = new int[headers.length];
        for (int i = 0; i < headers.length; i++)
        {
            widths[i] = headers[i].length();
        }
        for (final String[] row : rows)
        {
            for (int i = 0; i < row.length; i++)
            {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        line(out, headers, widths);
        for (final String[] row : rows)
        {
            line(out, row, widths);
        }
    }

    private static void line(final PrintWriter out, final String[] cells, final int[] widths)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < cells.length; i++)
        {
            text.append(cells[i]);
            if (i < cells.length - 1)
            {
                final char[] pad = new char[widths[i] - cells[i].length() + 2];
                Arrays.fill(pad, ' ');
                text.append(pad);
            }
        }
        out.println(text);
    }
}
