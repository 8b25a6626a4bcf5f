package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/** {@link SlurmCluster}'s job scripts (golden), its option checks, and sbatch's answers through real processes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlurmJobScriptTest {
    static final String SCHED = "tcp://login1:8786";

    @Test
    void theApiExample() {
        String s = SlurmCluster.builder().cores(16).processes(16).memory("24GB").queue("low").walltime("3:00:00").account("ac_x")
                .jobScript(SCHED);
        assertEquals("""
                #!/usr/bin/env bash

                #SBATCH -J jdask-worker
                #SBATCH -p low
                #SBATCH -A ac_x
                #SBATCH -n 1
                #SBATCH --cpus-per-task=16
                #SBATCH --mem=22889M
                #SBATCH -t 3:00:00

                jdask worker tcp://login1:8786 --nworkers 16 --nthreads 1 --memory-limit 1.50GB --host auto --name jdask-worker-"$SLURM_JOB_ID"
                """, s);
    }

    @Test
    void everyOption() {
        String s = SlurmCluster.builder().cores(8).processes(2).memory("512MiB").jobName("analysis").walltime("1-12:30")
                .jobExtraDirectives("--exclusive", "#SBATCH --gres=gpu:1").env("JAVA_HOME", "/opt/jdk 17")
                .prologue("module load java/17", "echo starting").localDirectory("/scratch/me").logDirectory("/home/me/logs")
                .workerCommand("/opt/jdask/jdask").nanny(false).interfaceName("ib0").securityDirectory("/home/me/jdask keys").jobScript(SCHED);
        assertEquals("""
                #!/usr/bin/env bash

                #SBATCH -J analysis
                #SBATCH -n 1
                #SBATCH --cpus-per-task=8
                #SBATCH --mem=512M
                #SBATCH -t 1-12:30
                #SBATCH -o /home/me/logs/%x-%j.out
                #SBATCH --exclusive
                #SBATCH --gres=gpu:1

                export JAVA_HOME='/opt/jdk 17'
                mkdir -p /scratch/me
                export JAVA_OPTS="${JAVA_OPTS:-} -Djava.io.tmpdir="/scratch/me
                module load java/17
                echo starting
                /opt/jdask/jdask worker tcp://login1:8786 --nworkers 2 --nthreads 4 --memory-limit 268.44MB --interface ib0 --no-nanny --security-dir '/home/me/jdask keys' --name analysis-"$SLURM_JOB_ID"
                """, s);
    }

    @Test
    void theLeastOptions() {
        String s = SlurmCluster.builder().cores(3).processes(2).memory("1000000").jobScript(SCHED);
        assertEquals("""
                #!/usr/bin/env bash

                #SBATCH -J jdask-worker
                #SBATCH -n 1
                #SBATCH --cpus-per-task=3
                #SBATCH --mem=1M

                jdask worker tcp://login1:8786 --nworkers 2 --nthreads 1 --memory-limit 500.00KB --host auto --name jdask-worker-"$SLURM_JOB_ID"
                """, s);
    }

    @Test
    void walltimesSlurmAccepts() {
        for (String t : List.of("90", "30:00", "3:00:00", "100:59:59", "2-0", "1-23:59", "7-00:00:00")) {
            assertEquals(t, SlurmCluster.checkWalltime(t));
        }
    }

    static void fails(String message, Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertEquals(message, x.getMessage());
    }

    @Test
    void badOptionsSayWhatIsWrong() {
        String times = "is not a Slurm time like 3:00:00 (one of: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, "
                + "with minutes and seconds below 60)";
        for (String t : List.of("3h", "3:61:00", "1-24", "1-2:3:4:5", "", "-1")) {
            fails("walltime '" + t + "' " + times, () -> SlurmCluster.builder().walltime(t));
        }
        String sizes = "is not a size like 4GB, 512MiB or a number of bytes";
        for (String m : List.of("24 apples", "24G", "GB")) {
            fails("memory '" + m + "' " + sizes, () -> SlurmCluster.builder().memory(m));
        }
        fails("memory '-5GB' must be a finite size >= 0", () -> SlurmCluster.builder().memory("-5GB"));
        fails("memory '0GB' must be more than 0 bytes", () -> SlurmCluster.builder().memory("0GB"));
        fails("SlurmCluster: cores(...) is required (cores per job)", () -> SlurmCluster.builder().memory("1GB").jobScript(SCHED));
        fails("SlurmCluster: memory(...) is required (memory per job, e.g. \"24GB\")", () -> SlurmCluster.builder().cores(4).build());
        fails("SlurmCluster: processes (8) must not exceed cores (4): every worker needs a thread",
                () -> SlurmCluster.builder().cores(4).processes(8).memory("1GB").jobScript(SCHED));
        fails("cores must be >= 1, got 0", () -> SlurmCluster.builder().cores(0));
        fails("queue 'low prio' must be one word without spaces, quotes or $", () -> SlurmCluster.builder().queue("low prio"));
        fails("account '$(rm -rf ~)' must be one word without spaces, quotes or $", () -> SlurmCluster.builder().account("$(rm -rf ~)"));
        fails("prologue line must be one non-empty line, got 'a\nb'", () -> SlurmCluster.builder().prologue("a\nb"));
        fails("environment variable name 'MY-VAR' is not a shell name like JAVA_HOME", () -> SlurmCluster.builder().env("MY-VAR", "1"));
        fails("scheduler address must look like tcp://host:port, got 'login1:8786'",
                () -> SlurmCluster.builder().cores(1).memory("1GB").jobScript("login1:8786"));
    }

    /** A stand-in for sbatch/scancel: a real shell that answers like they do. */
    static SlurmCluster.Builder withCommands(String sbatchScript, String scancelScript) {
        return SlurmCluster.builder().cores(2).processes(2).memory("2GB").schedulerHost("127.0.0.1")
                .submitCommand("sh", "-c", sbatchScript, "sbatch").cancelCommand("sh", "-c", scancelScript, "scancel");
    }

    @Test
    void scaleSubmitsAndCancelsWholeJobs() {
        // each "submission" appends the script path to a file, so the test sees what sbatch got
        try (SlurmCluster c = withCommands("n=$(wc -l < submitted 2>/dev/null || echo 0); echo \"$1\" >> submitted; "
                + "echo \"Submitted batch job $((n + 100))\"", "exit 0").build()) {
            c.scale(3); // 2 workers per job -> 2 jobs
            assertEquals(List.of("100", "101"), c.jobIds());
            assertEquals(4, c.size());
            assertTrue(c.jobScript().contains("worker " + c.schedulerAddress() + " --nworkers 2 --nthreads 1 --memory-limit 1.00GB"));
            c.scale(2);
            assertEquals(List.of("100"), c.jobIds());
            assertEquals(Map.of("100", List.of()), c.logs());
            c.scale(0);
            assertEquals(List.of(), c.jobIds());
        }
    }

    @Test
    void sbatchErrorsShowItsStderr() {
        try (SlurmCluster c = withCommands("echo 'sbatch: error: invalid partition specified: nope' >&2; exit 1", "exit 0").build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.scale(1));
            assertTrue(e.getMessage().endsWith("failed (exit 1): sbatch: error: invalid partition specified: nope"), e.getMessage());
            assertEquals(0, c.size());
        }
        try (SlurmCluster c = withCommands("echo queued", "exit 0").build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.scale(1));
            assertTrue(e.getMessage().startsWith("no job id in the output of sh -c"), e.getMessage());
            assertTrue(e.getMessage().endsWith(": queued"), e.getMessage());
        }
        try (SlurmCluster c = withCommands("echo 77\\;cluster1", "echo 'scancel: error: Kill job error on job id 77' >&2; exit 1").build()) {
            c.scale(1); // sbatch --parsable prints "77;cluster1"
            assertEquals(List.of("77"), c.jobIds());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.scale(0));
            assertTrue(e.getMessage().endsWith("failed (exit 1): scancel: error: Kill job error on job id 77"), e.getMessage());
        } catch (IllegalStateException closeFails) {
            // close() tries scancel again and reports the same error: expected here
            assertTrue(closeFails.getMessage().contains("Kill job error"), closeFails.getMessage());
        }
    }
}
