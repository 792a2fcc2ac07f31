"""de-workbook's generic pipe driver: a PySpark job that pipes every partition of a JSON-lines
input through the de-workbook job entrypoint with node (RDD.pipe), and saves the result lines.

    spark-submit pipe_driver.py --input gs://b/run/input/ --output gs://b/run/output \
        --module dist/scenarios/image-kmeans/job.js --params <base64 JSON>

Each input file is one partition; each output line is the envelope the entrypoint wrote for the
input line at the same place ({"ok": true, "output": ...} or {"ok": false, "input": ..., "error": ...}).
A partition whose process exits with an error fails its task, and Spark runs it again
(spark.task.maxFailures, set by the runner).
"""
import argparse
import shlex

from pyspark.sql import SparkSession


# RDD.pipe starts the command with the environment it is given (default: an empty one, where only
# /bin and /usr/bin are searched), so node is named by its full path and PATH is set.
NODE = "/usr/local/bin/node"
PIPE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


def pipe_command(package_dir, module, params, node=NODE):
    """The command line Spark runs for each partition (a string: RDD.pipe splits it with shlex)."""
    argv = [node, package_dir.rstrip("/") + "/dist/lib/jobs/entrypoint.js", module]
    if params:
        argv.append(params)
    return " ".join(shlex.quote(a) for a in argv)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="input folder or glob of JSON-lines files")
    parser.add_argument("--output", required=True, help="output folder (must not exist)")
    parser.add_argument("--module", required=True, help="job module, relative to the package")
    parser.add_argument("--params", default="", help="job parameters, base64 of their JSON")
    parser.add_argument("--package-dir", default="/opt/de-workbook", help="where the init action installed the package")
    parser.add_argument("--node", default=NODE, help="the node executable (the init action installs it in /usr/local)")
    args = parser.parse_args()

    spark = SparkSession.builder.appName("de-workbook pipe " + args.module).getOrCreate()
    sc = spark.sparkContext
    records = sc.textFile(args.input)
    command = pipe_command(args.package_dir, args.module, args.params, args.node)
    print("pipe driver: %d partitions through %s" % (records.getNumPartitions(), command[:200]), flush=True)
    records.pipe(command, env=PIPE_ENV, checkCode=True).saveAsTextFile(args.output)
    print("pipe driver: done, output in %s" % args.output, flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
