package io.latentqa.stack;

import io.latentqa.stack.demo.DemoChats;
import io.latentqa.stack.demo.DemoMonitor;
import io.latentqa.stack.demo.DemoSteering;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The main job of {@code ./latentqa demo}, once the stack is up: two monitors on decoder-service ask every
 * activation event "What instruction was the assistant given?" (a choice over personas, and the decoder's own
 * words), a few chats go through capture-service (their answers and activation events are shown), among them a
 * hidden pirate prompt under an unrelated user turn, and the monitors' readings of those chats are shown. Then a
 * small control job steers the target toward a goal through the decoder, and capture-service serves its adapter.
 *
 * <pre>
 * Demo --kafka HOST:PORT --capture PORT --decoder PORT --steering PORT
 * </pre>
 */
public final class Demo {

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Options.parse(args, "kafka", "capture", "decoder", "steering");
        String kafka = options.get("kafka");
        String capture = "http://127.0.0.1:" + Options.port(options, "capture");
        String decoder = "http://127.0.0.1:" + Options.port(options, "decoder");
        String steering = "http://127.0.0.1:" + Options.port(options, "steering");

        System.out.println("\n== standing monitors on decoder-service");
        DemoMonitor.Monitors monitors = DemoMonitor.create(decoder, System.out);
        System.out.println("\n== chats through capture-service, each with its activation event");
        List<DemoChats.Result> chats = DemoChats.run(capture, kafka, System.out);
        System.out.println("\n== the monitors' readings of those chats (from latentqa.readings)");
        DemoMonitor.showReadings(decoder, kafka, monitors, chats, Duration.ofMinutes(5), System.out);
        System.out.println("\n== steering: a control job on steering-service, its adapter served by capture-service");
        DemoSteering.run(steering, capture, System.out);
    }
}
