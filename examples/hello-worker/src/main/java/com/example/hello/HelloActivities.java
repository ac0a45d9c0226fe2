package com.example.hello;

import io.temporal.activity.ActivityInterface;

@ActivityInterface
public interface HelloActivities {

    String composeGreeting(String greeting, String name);
}
