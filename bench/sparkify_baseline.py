"""The Sparkify ETL written with pandas: the baseline of `npm run bench:sparkify`.

Same input (song_data/ and log_data/ in the original layout), same rules: every log line is
validated (a malformed line is rejected with a reason, as the workbook does), songplays join songs
on title, artist name and duration (within 0.01 s), users keep the level of their latest event,
artists take the non-empty location. The star schema stays in memory (pandas cannot write Parquet
on Debian 12: neither pyarrow nor fastparquet is packaged), which favours the baseline.
Prints one JSON line: the seconds of the ETL (after `import pandas`) and the table sizes.
"""
import glob, json, os, sys, time

import pandas as pd

song_root, log_root = sys.argv[1], sys.argv[2]
MIN_TS, MAX_TS = 946684800000, 4102444800000

t0 = time.perf_counter()
rows, rejected, lines = [], 0, 0
for path in sorted(glob.glob(os.path.join(log_root, "**", "*-events.json"), recursive=True)):
    with open(path, encoding="utf8") as f:
        for line in f:
            line = line.rstrip("\n")
            lines += 1
            try:
                e = json.loads(line)
            except ValueError:
                rejected += 1
                continue
            if not isinstance(e, dict):
                rejected += 1
                continue
            ts, uid, level, page = e.get("ts"), e.get("userId"), e.get("level"), e.get("page")
            if not isinstance(ts, int) or not (MIN_TS <= ts < MAX_TS) or not isinstance(page, str) or not page \
                    or not isinstance(uid, str) or (uid != "" and not uid.isdigit()) or level not in ("free", "paid") \
                    or not isinstance(e.get("sessionId"), int):
                rejected += 1
                continue
            if page == "NextSong" and (not e.get("song") or not e.get("artist") or not isinstance(e.get("length"), (int, float))):
                rejected += 1
                continue
            rows.append(e)
events = pd.DataFrame(rows)
events["start_time"] = pd.to_datetime(events["ts"], unit="ms", utc=True)

songs_raw = []
for path in glob.glob(os.path.join(song_root, "**", "*.json"), recursive=True):
    with open(path, encoding="utf8") as f:
        songs_raw.append(json.load(f))
songs = pd.DataFrame(songs_raw)

plays = events[(events["page"] == "NextSong") & (events["userId"] != "")].copy()
plays["songplay_id"] = plays["userId"] + "-" + plays["sessionId"].astype(str) + "-" + plays["itemInSession"].astype(str) + "-" + plays["ts"].astype(str)
cand = plays.merge(songs[["song_id", "title", "artist_id", "artist_name", "duration"]], how="left", left_on=["song", "artist"], right_on=["title", "artist_name"])
close = (cand["duration"] - cand["length"]).abs() < 0.01
cand.loc[~close, ["song_id", "artist_id"]] = None
cand["diff"] = (cand["duration"] - cand["length"]).abs().where(close)
cand = cand.sort_values(["songplay_id", "diff", "song_id"], na_position="last").drop_duplicates("songplay_id")
songplays = cand[["songplay_id", "start_time", "userId", "level", "song_id", "artist_id", "sessionId", "location", "userAgent"]]

logged = events[events["userId"] != ""].sort_values(["ts", "itemInSession"])
users = logged.groupby("userId").tail(1)[["userId", "firstName", "lastName", "gender", "level"]]
song_dim = songs[["song_id", "title", "artist_id", "year", "duration"]].drop_duplicates("song_id")
artists = songs.groupby("artist_id").agg(name=("artist_name", "max"), location=("artist_location", "max"),
                                         latitude=("artist_latitude", "max"), longitude=("artist_longitude", "max")).reset_index()
st = songplays["start_time"].drop_duplicates()
time_dim = pd.DataFrame({"start_time": st, "hour": st.dt.hour, "day": st.dt.day, "week": st.dt.isocalendar().week,
                         "month": st.dt.month, "year": st.dt.year, "weekday": (st.dt.dayofweek + 1) % 7 + 1})
t1 = time.perf_counter()
print(json.dumps({"seconds": t1 - t0, "lines": lines, "rejected": rejected, "songplays": len(songplays),
                  "matched": int(songplays["song_id"].notna().sum()), "users": len(users), "songs": len(song_dim),
                  "artists": len(artists), "time": len(time_dim)}))
