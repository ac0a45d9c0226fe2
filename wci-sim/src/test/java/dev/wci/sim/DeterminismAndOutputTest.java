package dev.wci.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class DeterminismAndOutputTest {

    private static List<Workload> all() {
        List<Workload> ws = new ArrayList<>();
        for (WorkloadKind k : WorkloadKind.values()) {
            ws.add(k.with(WorkloadParams.defaults()));
        }
        return ws;
    }

    private static List<SimResult> runAll(long seed) {
        SimAlgorithms reg = SimAlgorithms.defaults();
        return new SimRunner(reg, SimConfig.defaults(), seed).run(all(), reg.names());
    }

    @Test
    void sameSeedGivesIdenticalResults() {
        List<SimResult> a = runAll(42);
        List<SimResult> b = runAll(42);
        assertEquals(WorkloadKind.values().length * 3, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).summary(), b.get(i).summary());
            assertArrayEquals(a.get(i).series().backlog(), b.get(i).series().backlog());
            assertArrayEquals(a.get(i).series().liveWorkers(), b.get(i).series().liveWorkers());
        }
        assertEquals(ResultFormatter.csv(a), ResultFormatter.csv(b));
    }

    @Test
    void differentSeedGivesDifferentArrivalsAndSameSeedTheSame() {
        for (Workload w : all()) {
            Arrivals one = w.generate(new RandomStreams(1).workload());
            assertEquals(one, w.generate(new RandomStreams(1).workload()));
            assertNotEquals(one, w.generate(new RandomStreams(2).workload()), w.name());
        }
    }

    @Test
    void everyAlgorithmSeesTheSameTasks() {
        List<SimResult> r = runAll(3);
        int algorithms = SimAlgorithms.defaults().names().size();
        for (int i = 0; i < r.size(); i += algorithms) {
            for (int j = 1; j < algorithms; j++) {
                assertEquals(r.get(i).workload(), r.get(i + j).workload());
                assertEquals(r.get(i).tasks() + r.get(i).unfinished(), r.get(i + j).tasks() + r.get(i + j).unfinished());
            }
        }
    }

    @Test
    void workloadDefaultsAreAsDocumented() {
        Arrivals burst = WorkloadKind.BURST.with(WorkloadParams.defaults()).generate(1);
        assertEquals(1000, burst.size());
        assertEquals(10_000_000_000L, burst.times()[0]);
        Arrivals steady = WorkloadKind.STEADY.with(WorkloadParams.defaults()).generate(1);
        assertTrue(Math.abs(steady.size() - 12_000) < 500, "about 20/s for 600 s: " + steady.size());
        Arrivals spikes = WorkloadKind.SPIKES.with(WorkloadParams.defaults()).generate(1);
        assertTrue(spikes.size() > 5 * 300, "five spikes of 300 plus background: " + spikes.size());
    }

    @Test
    void csvStartsWithTheExactHeader() {
        List<SimResult> r = new SimRunner(SimAlgorithms.defaults(), SimConfig.defaults(), 1)
                .run(List.of(WorkloadKind.BURST.with(WorkloadParams.defaults())), SimAlgorithms.defaults().names());
        String[] lines = ResultFormatter.csv(r).split("\n");
        assertEquals("workload,algorithm,p50_s,p95_s,p99_s,max_s,tasks,invocations,worker_seconds,"
                + "idle_worker_seconds,peak_workers,throttles", lines[0]);
        assertEquals(4, lines.length);
        assertTrue(lines[1].startsWith("burst,wci,"));
        assertTrue(lines[2].startsWith("burst,reference-no-sync,"));
        assertEquals(12, lines[1].split(",").length);
        String table = ResultFormatter.table(r);
        assertTrue(table.contains("p99/wci"), table);
        assertTrue(table.contains("1.00x"), table);
    }

    @Test
    void tableComparesAgainstWciWhenPresent() {
        SimResult x = new SimResult("w", "other", 0, 0, 2, 2, 1, 1, 10, 1, 1, 0, 0, 0, 1,
                new SimResult.TimeSeries(1, new int[] {0}, new int[] {0}));
        SimResult wci = new SimResult("w", "wci", 0, 0, 1, 1, 1, 1, 5, 1, 1, 0, 0, 0, 1,
                new SimResult.TimeSeries(1, new int[] {0}, new int[] {0}));
        String table = ResultFormatter.table(List.of(x, wci));
        assertTrue(table.contains("p99/wci"), table);
        assertTrue(table.contains("2.00x"), table);
    }

    @Test
    void svgIsWellFormedXmlWithOneLinePerAlgorithmAndPanel() throws Exception {
        List<SimResult> r = new SimRunner(SimAlgorithms.defaults(), SimConfig.defaults(), 1)
                .run(List.of(WorkloadKind.BURST.with(WorkloadParams.defaults()),
                        WorkloadKind.SPIKES.with(WorkloadParams.defaults())), SimAlgorithms.defaults().names());
        String svg = SvgChart.render(r);
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        assertEquals(2 * 2 * 3, doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline").getLength());
        assertTrue(svg.contains("wci") && svg.contains("keda-like") && svg.contains("reference-no-sync"));
    }
}
