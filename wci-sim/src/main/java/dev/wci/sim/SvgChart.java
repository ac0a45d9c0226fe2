package dev.wci.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes results as a hand-made SVG: one row per workload with two panels, backlog over time and
 * live workers over time, one line per algorithm, with axes and a legend. Long series are reduced to
 * the maximum of each pixel bucket so spikes stay visible.
 */
public final class SvgChart {

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f"};
    private static final int PANEL_W = 460;
    private static final int PANEL_H = 220;
    private static final int MARGIN_L = 60;
    private static final int MARGIN_T = 50;
    private static final int ROW_H = PANEL_H + 90;
    private static final int GAP = 90;

    private SvgChart() {
    }

    public static String render(List<SimResult> results) {
        Map<String, List<SimResult>> byWorkload = new LinkedHashMap<>();
        List<String> algorithms = new ArrayList<>();
        for (SimResult r : results) {
            byWorkload.computeIfAbsent(r.workload(), k -> new ArrayList<>()).add(r);
            if (!algorithms.contains(r.algorithm())) {
                algorithms.add(r.algorithm());
            }
        }
        int width = MARGIN_L + 2 * PANEL_W + GAP + 30;
        int height = MARGIN_T + byWorkload.size() * ROW_H + 20;
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"11\">%n", width, height, width, height));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append("<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">")
                .append(esc("wci simulate: backlog and live workers over simulated time")).append("</text>\n");
        // Legend.
        int lx = 10;
        for (int i = 0; i < algorithms.size(); i++) {
            String color = COLORS[i % COLORS.length];
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"36\" x2=\"%d\" y2=\"36\" stroke=\"%s\" stroke-width=\"3\"/>"
                            + "<text x=\"%d\" y=\"40\">%s</text>%n", lx, lx + 20, color, lx + 25, esc(algorithms.get(i))));
            lx += 40 + 7 * algorithms.get(i).length();
        }
        int row = 0;
        for (Map.Entry<String, List<SimResult>> e : byWorkload.entrySet()) {
            int top = MARGIN_T + row * ROW_H + 30;
            panel(sb, e.getKey() + ": backlog (tasks)", MARGIN_L, top, e.getValue(), algorithms, true);
            panel(sb, e.getKey() + ": live workers", MARGIN_L + PANEL_W + GAP, top, e.getValue(), algorithms, false);
            row++;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void panel(StringBuilder sb, String title, int x0, int y0, List<SimResult> runs,
                              List<String> algorithms, boolean backlog) {
        double maxT = 1;
        int maxY = 1;
        for (SimResult r : runs) {
            int[] ys = backlog ? r.series().backlog() : r.series().liveWorkers();
            maxT = Math.max(maxT, ys.length * r.series().intervalSeconds());
            for (int y : ys) {
                maxY = Math.max(maxY, y);
            }
        }
        double yTop = niceCeil(maxY);
        double tTop = niceCeil(maxT);
        sb.append(String.format(Locale.ROOT, "<g>%n<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n",
                x0, y0 - 8, esc(title)));
        // Axes, grid and ticks.
        sb.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n"
                        + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                x0, y0, x0, y0 + PANEL_H, x0, y0 + PANEL_H, x0 + PANEL_W, y0 + PANEL_H));
        for (int i = 0; i <= 4; i++) {
            double yv = yTop * i / 4;
            double py = y0 + PANEL_H - PANEL_H * i / 4.0;
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    x0, py, x0 + PANEL_W, py, x0 - 4, py + 4, num(yv)));
            double tv = tTop * i / 4;
            double px = x0 + PANEL_W * i / 4.0;
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    px, y0 + PANEL_H, px, y0 + PANEL_H + 4, px, y0 + PANEL_H + 16, num(tv)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time (s)</text>%n",
                x0 + PANEL_W / 2, y0 + PANEL_H + 32));
        for (SimResult r : runs) {
            int[] ys = backlog ? r.series().backlog() : r.series().liveWorkers();
            String color = COLORS[algorithms.indexOf(r.algorithm()) % COLORS.length];
            sb.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(color).append("\" points=\"");
            int buckets = Math.min(ys.length, PANEL_W * 2);
            for (int b = 0; b < buckets; b++) {
                int from = (int) ((long) b * ys.length / buckets);
                int to = (int) ((long) (b + 1) * ys.length / buckets);
                int m = 0;
                for (int i = from; i < to; i++) {
                    m = Math.max(m, ys[i]);
                }
                double t = from * r.series().intervalSeconds();
                double px = x0 + PANEL_W * t / tTop;
                double py = y0 + PANEL_H - PANEL_H * m / yTop;
                sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            sb.append("\"><title>").append(esc(r.algorithm())).append("</title></polyline>\n");
        }
        sb.append("</g>\n");
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}. */
    static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
