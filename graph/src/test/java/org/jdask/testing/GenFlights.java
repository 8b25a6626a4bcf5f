package org.jdask.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CSV files shaped like the ASA Data Expo 2009 US airline on-time data (29 columns): the Java port
 * of the project's {@code gen_flights.py}, same arguments, seeds, schema and distributions, so the
 * airline tests need no Python. File {@code k} is {@code flights_KKK.csv}, month 2004-01 + k;
 * its content depends only on (seed, k, rows per file). See the Python docstring for the shape:
 * 20 carriers with hubs, 300 Zipf-popular airports, hhmm times, a long DepDelay tail, ~2%
 * cancelled (NA times, code A-D, else empty), ~0.25% diverted, delay causes only when ArrDelay >= 15.
 */
public final class GenFlights {
    public static final String HEADER = "Year,Month,DayofMonth,DayOfWeek,DepTime,CRSDepTime,ArrTime,CRSArrTime,"
            + "UniqueCarrier,FlightNum,TailNum,ActualElapsedTime,CRSElapsedTime,AirTime,"
            + "ArrDelay,DepDelay,Origin,Dest,Distance,TaxiIn,TaxiOut,Cancelled,"
            + "CancellationCode,Diverted,CarrierDelay,WeatherDelay,NASDelay,"
            + "SecurityDelay,LateAircraftDelay";

    private record Carrier(String code, double share, List<String> hubs) {}

    private static final List<Carrier> CARRIERS = List.of(
            new Carrier("WN", 16.0, List.of("LAS", "PHX", "MDW", "BWI", "HOU", "DAL", "OAK", "LAX")),
            new Carrier("AA", 9.0, List.of("DFW", "ORD", "MIA", "STL")),
            new Carrier("OO", 8.0, List.of("SLC", "DEN", "LAX", "SFO")),
            new Carrier("MQ", 7.0, List.of("DFW", "ORD")),
            new Carrier("DL", 6.5, List.of("ATL", "CVG", "SLC", "JFK")),
            new Carrier("UA", 6.5, List.of("ORD", "DEN", "SFO", "IAD", "LAX")),
            new Carrier("US", 6.0, List.of("CLT", "PHL", "PIT", "PHX")),
            new Carrier("XE", 5.5, List.of("IAH", "EWR", "CLE")),
            new Carrier("NW", 5.0, List.of("MSP", "DTW", "MEM")),
            new Carrier("EV", 4.5, List.of("ATL", "DFW")),
            new Carrier("CO", 4.5, List.of("IAH", "EWR", "CLE")),
            new Carrier("9E", 3.5, List.of("MEM", "DTW", "MSP")),
            new Carrier("FL", 3.5, List.of("ATL", "MKE", "BWI")),
            new Carrier("YV", 3.0, List.of("PHX", "IAD", "ORD")),
            new Carrier("OH", 3.0, List.of("CVG", "JFK")),
            new Carrier("B6", 3.0, List.of("JFK", "BOS", "FLL")),
            new Carrier("AS", 2.3, List.of("SEA", "PDX", "ANC")),
            new Carrier("F9", 1.5, List.of("DEN")),
            new Carrier("HA", 0.9, List.of("HNL", "OGG")),
            new Carrier("AQ", 0.1, List.of("HNL")));

    /** Real IATA codes, roughly by traffic rank. */
    private static final String AIRPORTS_TEXT = """
            ATL ORD DFW DEN LAX PHX IAH LAS DTW SFO SLC EWR MCO MSP CLT LGA JFK BOS SEA PHL
            BWI DCA IAD MDW MIA FLL TPA SAN STL CVG MEM PDX CLE MCI OAK SMF SJC BNA RDU AUS
            HOU MSY IND PIT SAT DAL SNA BDL MKE CMH ONT BUR ABQ JAX RSW TUS OKC OMA BHM SDF
            RIC BUF ORF ELP TUL PBI HNL OGG KOA LIH ANC FAI JNU SJU STT STX BOI GEG RNO SAV
            CHS GSP GSO CAE MYR TYS CHA LIT XNA ICT DSM CID MLI PIA SPI MSN GRR LAN FNT AZO
            SBN FWA DAY CAK TOL ERI ALB SYR ROC ITH ELM BGM AVP ABE MDT HPN ISP SWF PVD MHT
            PWM BTV BGR PNS VPS TLH GNV DAB MLB SRQ EYW MOB GPT JAN BTR LFT LCH SHV MLU AEX
            BPT CRP HRL BRO MFE LRD MAF LBB AMA ABI SJT ACT TYR GGG TXK FSM CLL GRK DRO ASE
            EGE GJT HDN MTJ GUC COS PUB FCA BZN BIL GTF HLN MSO BTM IDA PIH SUN TWF JAC COD
            CPR CYS RKS GCC SHR LAR RAP FSD FAR BIS MOT GFK DLH RST LSE EAU CWA GRB ATW MBS
            TVC MQT CMX SGF COU JLN CMI BMI EVV LEX CRW HTS TRI ROA LYH CHO PHF EWN OAJ ILM
            FAY AVL AGS ABY VLD CSG MCN BQK MGM DHN HSV TUP GTR PSP SBA SBP SMX FAT MRY MOD
            BFL LGB ACV CEC RDD MFR EUG OTH RDM PSC YKM ALW PUW LWS BLI KTN SIT WRG PSG YAK
            CDV ADQ BET OME OTZ BRW SCC DLG AKN FLG YUM GCN SLE LNK GRI HYS DDC GCK LBL SUX
            ALO DBQ MKG CIU APN PLN PIR ABR HIB INL BJI BRD TOP MHK SPS LAW HOB ROW CVN SAF
            GUM PPG SPN ISO PGV LWB PKB MGW CKB SHD HGR ACY TTN IPT LNS ORH OGS BKW CRW
            """;
    private static final int N_AIRPORTS = 300;
    private static final Map<String, double[]> ANCHORS = Map.ofEntries(
            Map.entry("SFO", new double[] {37.62, -122.38}), Map.entry("LAX", new double[] {33.94, -118.41}),
            Map.entry("JFK", new double[] {40.64, -73.78}), Map.entry("ORD", new double[] {41.98, -87.90}),
            Map.entry("ATL", new double[] {33.64, -84.43}), Map.entry("DFW", new double[] {32.90, -97.04}),
            Map.entry("DEN", new double[] {39.86, -104.67}), Map.entry("SEA", new double[] {47.45, -122.31}),
            Map.entry("BOS", new double[] {42.36, -71.01}), Map.entry("MIA", new double[] {25.79, -80.29}),
            Map.entry("IAD", new double[] {38.95, -77.46}), Map.entry("LAS", new double[] {36.08, -115.15}),
            Map.entry("PHX", new double[] {33.43, -112.01}), Map.entry("IAH", new double[] {29.98, -95.34}),
            Map.entry("MSP", new double[] {44.88, -93.22}), Map.entry("HNL", new double[] {21.32, -157.92}),
            Map.entry("OGG", new double[] {20.90, -156.43}), Map.entry("KOA", new double[] {19.74, -156.05}),
            Map.entry("LIH", new double[] {21.98, -159.34}), Map.entry("ANC", new double[] {61.17, -149.99}),
            Map.entry("FAI", new double[] {64.82, -147.86}), Map.entry("JNU", new double[] {58.35, -134.58}),
            Map.entry("SJU", new double[] {18.44, -66.00}), Map.entry("GUM", new double[] {13.48, 144.80}));

    private final long seed;
    private final List<String> codes = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();
    private final double[] weight = new double[N_AIRPORTS];
    private final double[] lat = new double[N_AIRPORTS];
    private final double[] lon = new double[N_AIRPORTS];
    private final String[] tails;

    private GenFlights(long seed) {
        this.seed = seed;
        Draws rng = new Draws(seed, 0xA1290);
        Set<String> seen = new LinkedHashSet<>(Arrays.asList(AIRPORTS_TEXT.trim().split("\\s+")));
        while (seen.size() < N_AIRPORTS) {
            seen.add("" + (char) ('A' + rng.integers(0, 26)) + (char) ('A' + rng.integers(0, 26)) + (char) ('A' + rng.integers(0, 26)));
        }
        for (String c : seen) {
            if (codes.size() == N_AIRPORTS) break;
            index.put(c, codes.size());
            codes.add(c);
        }
        for (int i = 0; i < N_AIRPORTS; i++) weight[i] = 1.0 / (i + 4.0); // Zipf-like with a soft head
        for (int i = 0; i < N_AIRPORTS; i++) lat[i] = rng.uniform(25.0, 49.0);
        for (int i = 0; i < N_AIRPORTS; i++) lon[i] = rng.uniform(-124.0, -67.0);
        ANCHORS.forEach((c, ll) -> {
            Integer i = index.get(c);
            if (i != null) {
                lat[i] = ll[0];
                lon[i] = ll[1];
            }
        });
        Draws t = new Draws(seed, 0x7A11);
        String letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
        tails = new String[20000];
        for (int i = 0; i < tails.length; i++) {
            tails[i] = "N" + t.integers(100, 1000) + letters.charAt(t.integers(0, letters.length())) + letters.charAt(t.integers(0, letters.length()));
        }
    }

    /**
     * Writes {@code files} files of {@code rowsPerFile} rows into {@code out} (created if needed),
     * like {@code gen_flights.py --out OUT --files F --rows-per-file R --seed S}; returns the paths.
     */
    public static List<Path> write(Path out, int files, int rowsPerFile, long seed) {
        GenFlights g = new GenFlights(seed);
        List<Path> paths = new ArrayList<>();
        try {
            Files.createDirectories(out);
            for (int k = 0; k < files; k++) {
                Path p = out.resolve(String.format("flights_%03d.csv", k));
                Files.writeString(p, g.file(k, rowsPerFile), StandardCharsets.US_ASCII);
                paths.add(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing flights files to " + out, e);
        }
        return paths;
    }

    /** One row before formatting; {@code null} fields are NA. */
    private record Row(int day, int carrier, int crsDep, String[] fields) {}

    private String file(int k, int n) {
        int year = 2004 + k / 12;
        int month = k % 12 + 1;
        Draws rng = new Draws(seed, 0xF11, k);
        int ndays = YearMonth.of(year, month).lengthOfMonth();
        boolean[] badDay = new boolean[ndays + 1];
        for (int d = 1; d <= ndays; d++) badDay[d] = rng.random() < 0.1;
        double[] carrierCdf = Draws.cdf(CARRIERS.stream().mapToDouble(Carrier::share).toArray());
        List<double[]> airportCdf = new ArrayList<>();
        for (Carrier c : CARRIERS) {
            double[] w = weight.clone();
            for (String h : c.hubs()) w[index.get(h)] *= 12.0;
            airportCdf.add(Draws.cdf(w));
        }
        double[] causeCdf = Draws.cdf(new double[] {0.42, 0.38, 0.1995, 0.0005});
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) rows.add(row(rng, year, month, ndays, badDay, carrierCdf, airportCdf, causeCdf));
        rows.sort(Comparator.comparingInt(Row::day).thenComparingInt(Row::carrier).thenComparingInt(Row::crsDep));
        StringBuilder b = new StringBuilder(n * 110).append(HEADER).append('\n');
        for (Row r : rows) {
            for (int j = 0; j < r.fields().length; j++) {
                if (j > 0) b.append(',');
                b.append(r.fields()[j] == null ? "NA" : r.fields()[j]);
            }
            b.append('\n');
        }
        return b.toString();
    }

    private Row row(Draws rng, int year, int month, int ndays, boolean[] badDay, double[] carrierCdf, List<double[]> airportCdf,
            double[] causeCdf) {
        int day = rng.integers(1, ndays + 1);
        int dow = LocalDate.of(year, month, day).getDayOfWeek().getValue();
        int carrier = rng.choice(carrierCdf);
        int origin = rng.choice(airportCdf.get(carrier));
        int dest = rng.choice(airportCdf.get(carrier));
        if (origin == dest) dest = (dest + 1 + rng.integers(0, N_AIRPORTS - 1)) % N_AIRPORTS;
        int dist = (int) Math.min(Math.max(Math.rint(distanceMiles(origin, dest)), 31), 4983);
        int crsElapsed = (int) Math.max(Math.rint(dist / 7.8 + 28 + rng.normal(0, 6)), 20);
        int slot = rng.random() < 0.96 ? rng.integers(6 * 12, 22 * 12) : rng.integers(0, 24 * 12);
        int crsDepMin = slot * 5;
        long depDelay = Math.round(Math.rint(rng.normal(-1.5, 4.0)));
        if (rng.random() < 0.33) depDelay += (long) Math.rint(rng.exponential(22.0));
        if (rng.random() < 0.03) depDelay += (long) Math.rint(rng.exponential(110.0));
        if (rng.random() < 0.0005) depDelay += rng.integers(300, 1400);
        depDelay = Math.min(Math.max(depDelay, -45), 2400);
        long taxiOut = (long) Math.min(Math.max(Math.rint(6 + rng.gamma(2.2, 4.5)), 1), 180);
        long taxiIn = (long) Math.min(Math.max(Math.rint(2 + rng.gamma(2.0, 2.2)), 1), 120);
        long airTime = Math.max((long) Math.rint(crsElapsed - 20 + rng.normal(0, 6)), Math.max(dist / 9, 8));
        long actualElapsed = airTime + taxiIn + taxiOut;
        long arrDelay = Math.min(Math.max(depDelay + (actualElapsed - crsElapsed), -99), 2500);
        long flightNum = 1 + ((long) Math.floor(rng.pareto(1.2) * 600)) % 7999;
        int tail = (carrier * 997 + rng.integers(0, 350)) % tails.length;
        boolean cancelled = rng.random() < 0.012 + (badDay[day] ? 0.05 : 0);
        boolean diverted = !cancelled && rng.random() < 0.0025;
        int ccode = rng.choice(causeCdf);
        boolean hasCause = !cancelled && !diverted && arrDelay >= 15;
        double[] w = rng.dirichlet(1.5, 0.3, 1.2, 0.02, 1.4);
        long[] causes = causes(w, Math.max(arrDelay, 0));
        boolean naDep = cancelled;
        boolean naArr = cancelled || diverted;
        String[] f = new String[29];
        int c = 0;
        f[c++] = String.valueOf(year);
        f[c++] = String.valueOf(month);
        f[c++] = String.valueOf(day);
        f[c++] = String.valueOf(dow);
        f[c++] = naDep ? null : String.valueOf(hhmm(crsDepMin + depDelay));
        f[c++] = String.valueOf(hhmm(crsDepMin));
        f[c++] = naArr ? null : String.valueOf(hhmm(crsDepMin + depDelay + actualElapsed));
        f[c++] = String.valueOf(hhmm(crsDepMin + crsElapsed));
        f[c++] = CARRIERS.get(carrier).code();
        f[c++] = String.valueOf(flightNum);
        f[c++] = tails[tail];
        f[c++] = naArr ? null : String.valueOf(actualElapsed);
        f[c++] = String.valueOf(crsElapsed);
        f[c++] = naArr ? null : String.valueOf(airTime);
        f[c++] = naArr ? null : String.valueOf(arrDelay);
        f[c++] = naDep ? null : String.valueOf(depDelay);
        f[c++] = codes.get(origin);
        f[c++] = codes.get(dest);
        f[c++] = String.valueOf(dist);
        f[c++] = naArr ? null : String.valueOf(taxiIn);
        f[c++] = naDep ? null : String.valueOf(taxiOut);
        f[c++] = cancelled ? "1" : "0";
        f[c++] = cancelled ? String.valueOf("ABCD".charAt(ccode)) : "";
        f[c++] = diverted ? "1" : "0";
        for (long v : causes) f[c++] = hasCause ? String.valueOf(v) : null;
        return new Row(day, carrier, (int) hhmm(crsDepMin), f);
    }

    /** Sharpened Dirichlet shares of {@code total}, the last cause taking the rounding rest. */
    private static long[] causes(double[] w, long total) {
        double sum = 0;
        for (int j = 0; j < w.length; j++) sum += w[j] = w[j] * w[j];
        long[] out = new long[w.length];
        long used = 0;
        for (int j = 0; j < w.length; j++) used += out[j] = (long) Math.floor(w[j] / sum * total);
        out[w.length - 1] += total - used;
        return out;
    }

    private double distanceMiles(int a, int b) {
        double p1 = Math.toRadians(lat[a]);
        double p2 = Math.toRadians(lat[b]);
        double dl = Math.toRadians(lon[b] - lon[a]);
        double h = Math.pow(Math.sin((p2 - p1) / 2), 2) + Math.cos(p1) * Math.cos(p2) * Math.pow(Math.sin(dl / 2), 2);
        return 2 * 3958.8 * Math.asin(Math.sqrt(h));
    }

    /** Minutes since midnight (any) to hhmm in 1..2400, like the real data. */
    private static long hhmm(long minutes) {
        long m = Math.floorMod(minutes, 1440);
        long v = (m / 60) * 100 + m % 60;
        return v == 0 ? 2400 : v;
    }
}
