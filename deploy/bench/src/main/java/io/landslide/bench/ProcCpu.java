package io.landslide.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of processes, read from {@code /proc/<pid>/stat} (user + system, and for a parent the reaped
 * children's time too, so a PostgreSQL backend that exits during a run still counts).
 */
final class ProcCpu {
  private static final double TICK_MS = 10.0; // CLK_TCK = 100 on Linux

  private ProcCpu() {
  }

  /** @return CPU milliseconds used so far by the processes whose command name is {@code comm}: {user, system} */
  static double[] byName(String comm) {
    double[] total = new double[2];
    for (long pid : pids(comm)) {
      double[] t = ofPid(pid, true);
      total[0] += t[0];
      total[1] += t[1];
    }
    return total;
  }

  /**
   * @param pid             a process
   * @param includeChildren add the reaped children's time
   * @return its CPU milliseconds so far, {user, system}; zeros when it is gone
   */
  static double[] ofPid(long pid, boolean includeChildren) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after "pid (comm) ": state=0 ... utime=11 stime=12 cutime=13 cstime=14
      double user = Long.parseLong(f[11]);
      double sys = Long.parseLong(f[12]);
      if (includeChildren) {
        user += Long.parseLong(f[13]);
        sys += Long.parseLong(f[14]);
      }
      return new double[] {user * TICK_MS, sys * TICK_MS};
    } catch (IOException | RuntimeException e) {
      return new double[2];
    }
  }

  /**
   * @param pid a process
   * @return its threads' CPU milliseconds so far, user + system, summed per kind of thread: the thread's name without
   *     its number ({@code C2 CompilerThre}, {@code GC Thread}, {@code vert.x-worker-t}, ...); empty when it is gone
   */
  static Map<String, Double> threadsOf(long pid) {
    Map<String, Double> out = new TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[#-]?\\d+$", "");
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_MS, Double::sum);
        } catch (IOException | RuntimeException e) {
          // gone meanwhile
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
    return out;
  }

  /** @return the CPU milliseconds the whole machine has been busy so far (all cores: user, nice, system, irq, softirq, steal) */
  static double machineBusy() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal ...
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) busy += Long.parseLong(f[i]);
      return busy * TICK_MS;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  static List<Long> pids(String comm) {
    List<Long> out = new ArrayList<>();
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path d : (Iterable<Path>) dirs::iterator) {
        String name = d.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) continue;
        try {
          if (Files.readString(d.resolve("comm")).trim().equals(comm)) out.add(Long.parseLong(name));
        } catch (IOException ignored) {
          // gone meanwhile
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
